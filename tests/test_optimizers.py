"""Optimizers: one step against hand-worked numbers, convergence to the
closed-form least-squares solution, state handling."""

import doctest
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import make_classification

from skprop import BackpropClassifier, BackpropRegressor, optimizers
from skprop._numeric import array_namespace, to_numpy
from skprop.optimizers import (
    _REGISTRY,
    LBFGS,
    SGD,
    Adagrad,
    Adam,
    AdamW,
    Muon,
    Optimizer,
    RMSprop,
)
from skprop.schedules import Cosine

GRAD = np.array([1.0, -2.0])
PARAMS = np.array([2.0, -1.0])


def steps(optimizer, grads, lr=0.1):
    """Steps taken for successive gradients, from a fresh state."""
    state = optimizer.init(PARAMS.copy())
    taken = []
    for grad in grads:
        step, state = optimizer.update(
            np.array(grad, dtype=float), state, PARAMS.copy(), lr
        )
        taken.append(step.copy())
    return taken


def test_sgd_nesterov_by_hand():
    # v1 = -0.1 g1 = (-0.1, 0.2); step = 0.9 v1 - 0.1 g1
    # v2 = 0.9 v1 - 0.1 g2 = (-0.14, 0.13); step = 0.9 v2 - 0.1 g2
    first, second = steps(SGD(momentum=0.9, nesterov=True), [GRAD, [0.5, 0.5]])
    assert_allclose(first, [-0.19, 0.38])
    assert_allclose(second, [-0.176, 0.067])


def test_sgd_classical_momentum_by_hand():
    first, second = steps(SGD(momentum=0.9, nesterov=False), [GRAD, [0.5, 0.5]])
    assert_allclose(first, [-0.1, 0.2])
    assert_allclose(second, [-0.14, 0.13])


def test_adam_first_step_by_hand():
    # m = 0.1 g, v = 0.001 g^2, lr_t = 0.1 sqrt(0.001) / 0.1:
    # the first step is -lr * sign(g), up to epsilon.
    (step,) = steps(Adam(), [GRAD])
    assert_allclose(step, [-0.1, 0.1], rtol=1e-6)


def test_adam_second_step_by_hand():
    g1, g2 = GRAD, np.array([0.5, 0.5])
    m = 0.9 * 0.1 * g1 + 0.1 * g2
    v = 0.999 * 0.001 * g1**2 + 0.001 * g2**2
    lr_t = 0.1 * np.sqrt(1 - 0.999**2) / (1 - 0.9**2)
    assert_allclose(steps(Adam(), [g1, g2])[1], -lr_t * m / (np.sqrt(v) + 1e-8))


def test_adamw_decay_is_decoupled():
    (step,) = steps(AdamW(weight_decay=0.01), [GRAD])
    assert_allclose(step, [-0.1 - 0.1 * 0.01 * 2.0, 0.1 + 0.1 * 0.01 * 1.0], rtol=1e-6)


def test_rmsprop_by_hand():
    (step,) = steps(RMSprop(rho=0.9), [GRAD])
    assert_allclose(step, -0.1 * GRAD / np.sqrt(0.1 * GRAD**2), rtol=1e-6)


def test_adagrad_by_hand():
    first, second = steps(Adagrad(), [GRAD, [1.0, 0.0]])
    assert_allclose(first, [-0.1, 0.1])
    assert_allclose(second, [-0.1 / np.sqrt(2.0), 0.0])


def test_state_is_returned_not_stored():
    X, y, _, _ = least_squares_problem()
    for name, cls in _REGISTRY.items():
        optimizer = cls()
        before = pickle.dumps(optimizer)
        if optimizer.stochastic:
            steps(optimizer, [GRAD, GRAD])
        # A fit too, for every optimizer (L-BFGS takes no minibatch steps).
        BackpropRegressor(hidden_layer_sizes=(3,), optimizer=optimizer, max_iter=3).fit(
            X, y
        )
        assert pickle.dumps(optimizer) == before, name
        assert clone(optimizer).get_params() == optimizer.get_params()


def least_squares_problem():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 4))
    y = X @ [1.5, -2.0, 0.5, 3.0] + 0.7 + 0.1 * rng.normal(size=100)
    alpha = 1e-4
    # Minimise (0.5 ||X w + b - y||^2 + 0.5 alpha ||w||^2) / n, b unpenalised.
    design = np.hstack([X, np.ones((100, 1))])
    penalty = alpha * np.diag([1.0, 1.0, 1.0, 1.0, 0.0])
    solution = np.linalg.solve(design.T @ design + penalty, design.T @ y)
    return X, y, alpha, solution


CONVERGENCE = {
    "sgd": dict(optimizer=SGD(momentum=0.9), learning_rate=0.1, max_iter=400),
    "adam": dict(
        optimizer=Adam(), learning_rate=Cosine(0.05, max_iter=1500), max_iter=1500
    ),
    "adamw": dict(
        optimizer=AdamW(weight_decay=0.0),
        learning_rate=Cosine(0.05, max_iter=1500),
        max_iter=1500,
    ),
    "rmsprop": dict(
        optimizer=RMSprop(), learning_rate=Cosine(0.05, max_iter=1500), max_iter=1500
    ),
    "adagrad": dict(optimizer=Adagrad(), learning_rate=0.5, max_iter=1500),
    # No hidden layer, so no hidden matrix: every parameter takes AdamW's step.
    "muon": dict(
        optimizer=Muon(weight_decay=0.0, adam_lr_ratio=1.0),
        learning_rate=Cosine(0.05, max_iter=1500),
        max_iter=1500,
    ),
    "lbfgs": dict(optimizer=LBFGS(), max_iter=1000),
}


@pytest.mark.parametrize("name", sorted(CONVERGENCE))
def test_converges_to_the_closed_form_solution(name):
    assert set(CONVERGENCE) == set(_REGISTRY)
    X, y, alpha, solution = least_squares_problem()
    model = BackpropRegressor(
        hidden_layer_sizes=(),
        alpha=alpha,
        batch_size=100,
        tol=0.0,
        n_iter_no_change=10_000,
        random_state=0,
        **CONVERGENCE[name],
    )
    if name == "lbfgs":
        model.set_params(tol=1e-12)
    model.fit(X, y)
    found = np.append(model.coefs_[0].ravel(), model.intercepts_[0])
    assert_allclose(found, solution, atol=1e-4)


def test_user_defined_optimizer_in_fit_partial_fit_and_grid_search():
    from sklearn.model_selection import GridSearchCV

    class SignDescent(Optimizer):
        def __init__(self, shrink=1.0):
            self.shrink = shrink

        def init(self, params):
            return {}

        def update(self, grad, state, params, lr):
            return -lr * self.shrink * np.sign(grad), state

    X, y, _, _ = least_squares_problem()
    model = BackpropRegressor(
        hidden_layer_sizes=(),
        optimizer=SignDescent(),
        learning_rate=0.01,
        max_iter=300,
        random_state=0,
    )
    assert model.fit(X, y).score(X, y) > 0.99
    epochs = len(model.loss_curve_)
    model.partial_fit(X, y)
    assert len(model.loss_curve_) == epochs + 1
    assert model.score(X, y) > 0.99
    search = GridSearchCV(model, {"optimizer__shrink": [0.5, 1.0]}, cv=2).fit(X, y)
    assert search.best_score_ > 0.99


def test_invalid_nested_hyper_parameters_are_named():
    X, y, _, _ = least_squares_problem()
    with pytest.raises(ValueError, match="momentum"):
        BackpropRegressor(optimizer=SGD(momentum=2.0)).fit(X, y)
    with pytest.raises(ValueError, match="beta_1"):
        BackpropRegressor(optimizer=Adam(beta_1=1.5)).fit(X, y)
    with pytest.raises(ValueError, match="optimizer"):
        BackpropRegressor(optimizer="nadam").fit(X, y)


def test_docstring_examples_run():
    assert doctest.testmod(optimizers).failed == 0


# Muon. A flat vector as the engine lays it out: a hidden 4 x 3 matrix, its
# 3 intercepts, a 3 x 2 output matrix (left to AdamW, as the reference does)
# and its 2 intercepts.
HIDDEN = [(slice(0, 12), (4, 3))]
N_PARAMS = 23


def muon_steps(optimizer, grads, params, lr=0.1, **options):
    """Steps and final state of `optimizer` (NumPy form) from a fresh state."""
    state = optimizer.init(params.copy())
    taken = []
    for grad in grads:
        step, state = optimizer.update(grad.copy(), state, params.copy(), lr, **options)
        taken.append(step.copy())
    return taken, state


def random_grads(n_steps, size=N_PARAMS, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.normal(size=size) for _ in range(n_steps)]


def test_newton_schulz_keeps_singular_vectors_and_bounds_singular_values():
    rng = np.random.RandomState(0)
    G = rng.normal(size=(8, 5))
    orthogonal = Muon()._orthogonalize(G, np)
    U, _, Vt = np.linalg.svd(G, full_matrices=False)
    # An odd polynomial in G: in G's singular bases the result is diagonal ...
    in_bases = U.T @ orthogonal @ Vt.T
    singular = np.diag(in_bases)
    assert_allclose(in_bases, np.diag(singular), atol=1e-12)
    # ... and its singular values lie in the quintic's band around 1.
    assert np.all((singular >= 0.6) & (singular <= 1.3)), singular
    assert np.linalg.norm(orthogonal - U @ Vt, ord=2) <= 0.4
    # Wide matrices give the transposed result.
    assert_allclose(Muon()._orthogonalize(G.T, np), orthogonal.T, atol=1e-14)


def rotation(angle):
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


@pytest.mark.parametrize("nesterov", [True, False])
def test_muon_two_steps_by_hand(nesterov):
    # A 2 x 2 matrix and two intercepts. Every gradient of the matrix is
    # Q1 diag(g) Q2^T, so every momentum is too, and Newton-Schulz acts on
    # the diagonal alone: x <- a x + b x^3 + c x^5, five times.
    Q1, Q2 = rotation(0.3), rotation(-1.1)
    g1, g2 = np.array([3.0, 0.5]), np.array([-1.0, 2.0])
    b1, b2 = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    grads = [
        np.append((Q1 @ np.diag(g) @ Q2.T).ravel(), b) for g, b in ((g1, b1), (g2, b2))
    ]
    params = np.array([0.5, -1.0, 2.0, 0.25, 2.0, -1.0])
    lr, mu, wd, ratio = 0.1, 0.9, 0.05, 0.2
    muon = Muon(momentum=mu, nesterov=nesterov, weight_decay=wd, adam_lr_ratio=ratio)
    taken, _ = muon_steps(muon, grads, params, lr, matrices=[(slice(0, 4), (2, 2))])

    momentum = np.zeros(2)
    for g, step in zip((g1, g2), taken):
        momentum = mu * momentum + (1 - mu) * g
        direction = mu * momentum + (1 - mu) * g if nesterov else momentum
        x = direction / (np.sqrt(np.sum(direction**2)) + 1e-7)
        for _ in range(5):
            x = 3.4445 * x - 4.7750 * x**3 + 2.0315 * x**5
        expected = -lr * (Q1 @ np.diag(x) @ Q2.T).ravel() - lr * wd * params[:4]
        assert_allclose(step[:4], expected, rtol=1e-12, atol=1e-15)
    # The intercepts: Adam's two steps by hand, at lr * ratio, then decay.
    adam_lr = lr * ratio
    assert_allclose(
        taken[0][4:],
        -adam_lr * b1 / (np.abs(b1) + 1e-8 / np.sqrt(0.001))
        - adam_lr * wd * params[4:],
        rtol=1e-12,
    )
    m = 0.9 * 0.1 * b1 + 0.1 * b2
    v = 0.999 * 0.001 * b1**2 + 0.001 * b2**2
    lr_t = adam_lr * np.sqrt(1 - 0.999**2) / (1 - 0.9**2)
    expected = -lr_t * m / (np.sqrt(v) + 1e-8) - adam_lr * wd * params[4:]
    assert_allclose(taken[1][4:], expected, rtol=1e-12)


MUON_ADAM = dict(adam_beta_1=0.8, adam_beta_2=0.95, adam_epsilon=1e-6)
ADAMW = dict(beta_1=0.8, beta_2=0.95, epsilon=1e-6)


def test_muon_steps_everything_outside_the_matrices_as_adamw():
    grads = random_grads(3)
    params = np.random.RandomState(1).normal(size=N_PARAMS)
    muon = Muon(weight_decay=0.05, adam_lr_ratio=0.3, **MUON_ADAM)
    taken, state = muon_steps(muon, grads, params, lr=0.1, matrices=HIDDEN)
    adamw = AdamW(weight_decay=0.05, **ADAMW)
    expected, adam_state = muon_steps(adamw, grads, params, lr=0.1 * 0.3)
    for step, reference in zip(taken, expected):
        np.testing.assert_array_equal(step[12:], reference[12:])
        assert np.abs(step[:12] - reference[:12]).max() > 1e-3
    # Each branch keeps its own state: AdamW's moments outside the matrix,
    # the momentum inside it.
    assert state["t"] == adam_state["t"] == 3
    for key in ("m", "v"):
        np.testing.assert_array_equal(state[key][12:], adam_state[key][12:])
        np.testing.assert_array_equal(state[key][:12], 0.0)
    np.testing.assert_array_equal(state["momentum"][12:], 0.0)
    assert np.all(state["momentum"][:12] != 0.0)


@pytest.mark.parametrize("decay", [None, [slice(0, 12), slice(15, 21)]])
def test_muon_without_matrices_is_adamw(decay):
    grads = random_grads(3)
    params = np.random.RandomState(1).normal(size=N_PARAMS)
    muon = Muon(weight_decay=0.05, adam_lr_ratio=0.3, **MUON_ADAM)
    taken, state = muon_steps(muon, grads, params, lr=0.1, decay=decay)
    adamw = AdamW(weight_decay=0.05, **ADAMW)
    expected, adam_state = muon_steps(adamw, grads, params, lr=0.1 * 0.3, decay=decay)
    for step, reference in zip(taken, expected):
        np.testing.assert_array_equal(step, reference)
    for key in ("m", "v"):
        np.testing.assert_array_equal(state[key], adam_state[key])


def test_muon_decays_only_the_decay_slices_at_each_branchs_rate():
    # The slice covers the end of the matrix and two of its intercepts.
    grads = random_grads(2)
    params = np.random.RandomState(1).normal(size=N_PARAMS)
    decay = [slice(8, 14)]
    decayed, _ = muon_steps(
        Muon(weight_decay=0.05, adam_lr_ratio=0.3),
        grads,
        params,
        lr=0.1,
        matrices=HIDDEN,
        decay=decay,
    )
    plain, _ = muon_steps(
        Muon(weight_decay=0.0, adam_lr_ratio=0.3), grads, params, 0.1, matrices=HIDDEN
    )
    expected = np.zeros(N_PARAMS)
    expected[8:12] = -0.1 * 0.05 * params[8:12]
    expected[12:14] = -0.1 * 0.3 * 0.05 * params[12:14]
    for with_decay, without in zip(decayed, plain):
        assert_allclose(with_decay - without, expected, rtol=1e-9, atol=0)


def test_muon_shape_factor_is_sqrt_fan_out_over_fan_in():
    # A 2-input, 8-unit matrix steps twice as far as its 8 x 2 transpose:
    # sqrt(max(1, 8 / 2)) against sqrt(max(1, 2 / 8)).
    G = np.random.RandomState(0).normal(size=(8, 2))
    muon = Muon(weight_decay=0.0)
    ((tall,), _) = muon_steps(
        muon, [G.ravel()], np.zeros(16), 0.1, matrices=[(slice(0, 16), (8, 2))]
    )
    ((wide,), _) = muon_steps(
        muon, [G.T.ravel()], np.zeros(16), 0.1, matrices=[(slice(0, 16), (2, 8))]
    )
    assert_allclose(wide.reshape(2, 8), 2.0 * tall.reshape(8, 2).T, rtol=1e-12)


def test_muon_matrix_branch_solves_a_least_squares_problem():
    # Fit Y = X W + b by Muon alone, the learning rate decaying linearly:
    # the matrix through the Muon branch, the intercepts through AdamW's.
    rng = np.random.RandomState(0)
    X, W, b = rng.normal(size=(64, 5)), rng.normal(size=(5, 3)), rng.normal(size=3)
    Y = X @ W + b

    def gradient(params):
        residual = X @ params[:15].reshape(5, 3) + params[15:] - Y
        return np.append(X.T @ residual, residual.sum(axis=0)) / 64

    muon = Muon(weight_decay=0.0, adam_lr_ratio=1.0)
    params = np.zeros(18)
    state = muon.init(params)
    for k in range(300):
        lr = 0.1 * (1 - k / 300)
        step, state = muon.update(
            gradient(params), state, params, lr, matrices=[(slice(0, 15), (5, 3))]
        )
        params += step
    assert_allclose(params, np.append(W.ravel(), b), atol=5e-3)


@pytest.mark.parametrize("library", ["array_api_strict", "torch"])
@pytest.mark.parametrize("nesterov", [True, False])
def test_muon_array_api_form_matches_numpy(library, nesterov):
    module = pytest.importorskip(library)
    if array_namespace is None:
        pytest.skip("array-api-compat is not installed")
    # A tall and a wide matrix (the iteration transposes one of them), and
    # a decay that skips the first intercepts.
    matrices = [(slice(0, 12), (4, 3)), (slice(15, 21), (3, 2))]
    decay = [slice(0, 12), slice(15, 23)]
    muon = Muon(nesterov=nesterov, weight_decay=0.05, adam_lr_ratio=0.3)
    options = dict(matrices=matrices, decay=decay)
    grads = random_grads(3)
    params = np.random.RandomState(1).normal(size=N_PARAMS)
    expected, expected_state = muon_steps(muon, grads, params, 0.1, **options)

    params_xp = module.asarray(params)
    xp = array_namespace(params_xp)
    state = muon.init_xp(params_xp, xp)
    for grad, reference in zip(grads, expected):
        step, state = muon.update_xp(
            module.asarray(grad), state, params_xp, 0.1, xp, **options
        )
        assert_allclose(to_numpy(step), reference, rtol=0, atol=1e-10)
    assert state["t"] == expected_state["t"]
    for key in ("momentum", "m", "v"):
        assert_allclose(to_numpy(state[key]), expected_state[key], rtol=0, atol=1e-10)


def test_muon_trains_a_classifier():
    # The engine does not pass the matrices yet: every parameter takes the
    # AdamW branch, and fit, partial_fit and the kept state work.
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=200, n_features=8, random_state=0)
    model = BackpropClassifier(
        hidden_layer_sizes=(16,),
        optimizer=Muon(),
        learning_rate=0.05,
        max_iter=100,
        random_state=0,
    ).fit(X, y)
    assert model.score(X, y) > 0.9
    model.partial_fit(X, y)
    assert model.score(X, y) > 0.9


@pytest.mark.parametrize(
    "name, value",
    [
        ("momentum", 1.0),
        ("nesterov", "yes"),
        ("ns_steps", 0),
        ("weight_decay", -0.1),
        ("adam_lr_ratio", 0.0),
        ("adam_beta_1", 1.0),
        ("adam_beta_2", -0.5),
        ("adam_epsilon", 0.0),
    ],
)
def test_muon_invalid_hyper_parameters_are_named(name, value):
    X, y, _, _ = least_squares_problem()
    with pytest.raises((ValueError, TypeError), match=name):
        BackpropRegressor(optimizer=Muon(**{name: value})).fit(X, y)


def test_the_network_hands_muon_its_hidden_weight_matrices(monkeypatch):
    from skprop.optimizers import Muon

    seen = []
    update = Muon.update

    def recording(self, grad, state, params, lr, matrices=None, decay=None):
        seen.append(matrices)
        return update(self, grad, state, params, lr, matrices=matrices, decay=decay)

    monkeypatch.setattr(Muon, "update", recording)
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    model = BackpropClassifier((7, 4), optimizer="muon", max_iter=2, random_state=0)
    model.fit(X, y)
    shapes = [shape for _, shape in seen[0]]
    # The output layer's (4, 1) coef goes to AdamW, as in the reference.
    assert shapes == [(5, 7), (7, 4)]
    # The flat vector holds the weights first, layer by layer.
    first, second = (piece for piece, _ in seen[0])
    assert first == slice(0, 35) and second == slice(35, 63)
