"""Optimizers: one step against hand-worked numbers, convergence to the
closed-form least-squares solution, state handling."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone

from skprop import BackpropRegressor
from skprop.optimizers import (
    _REGISTRY,
    LBFGS,
    SGD,
    Adagrad,
    Adam,
    AdamW,
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
