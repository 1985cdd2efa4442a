"""Ensembles in one network (``n_members``, `skprop._ensemble`): the whole
objective's gradient against finite differences, one member as the plain
network, the prediction as the members' mean worked out by hand, what
members buy on noisy data, and every estimator feature with members."""

import pickle
import warnings

import numpy as np
import pytest
from _gradcheck import numerical_gradient, relative_error
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from scipy.special import expit, logit, softmax
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss

from skprop import BackpropClassifier, BackpropRegressor, _model, to_namespace
from skprop._ensemble import EnsembleInput, SharedDense, member_stack
from skprop._epoch import objective
from skprop._layers import Dense
from skprop._network import Network, predict_raw
from skprop._parts import parameter_groups
from skprop.activations import Parametric, Tanh
from skprop.callbacks import restore_weights, snapshot_weights
from skprop.layers import PeriodicEmbedding
from skprop.losses import (
    LogLoss,
    Poisson,
    SquaredError,
    _MemberMean,
)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def ensemble_network(units, activations, n_members, rng, front=()):
    """`member_stack`'s layers behind the input layers `front` (parts, built
    for 9 rows of 4 columns), float64, initialised from `rng`; the adapters
    moved off +-1 so that their gradient is not trivial."""
    X = rng.normal(size=(9, 4))
    built, n_inputs = [], 4
    for part in front:
        built.append(part.build(n_inputs, X))
        n_inputs = built[-1].n_units
    layers = built + member_stack([n_inputs, *units], activations, n_members=n_members)
    owners = [*front, *activations, EnsembleInput]
    net = Network.empty(layers, np.float64, parameter_groups(owners, None))
    net.initialize(rng)
    scale = net.arrays[len(built)][0]
    scale *= rng.uniform(0.5, 1.5, scale.shape)
    return net, X


# (units after the input, hidden activations, loss, front, sample weights)
GRADIENT_CASES = {
    "multiclass_tanh": ([5, 4, 3], [Tanh(), Tanh()], "multiclass", (), False),
    "binary_linear": ([1], [], "binary", (), True),
    "squared_two_outputs": ([6, 2], [Tanh()], "squared", (), True),
    "poisson": ([5, 1], [Tanh()], "poisson", (), False),
    # The adapters' input gradient reaches the periodic layer, and a
    # Parametric activation's mixes are shared by the members.
    "periodic_parametric": (
        [5, 3],
        [Parametric("tanh")],
        "multiclass",
        (PeriodicEmbedding(n_frequencies=2, n_outputs=2, sigma=0.5),),
        False,
    ),
}


def targets(kind, n_outputs, rng, n_rows=9):
    if kind == "multiclass":
        return LogLoss().for_target("multiclass"), np.eye(3)[rng.randint(3, size=9)]
    if kind == "binary":
        return LogLoss(), rng.randint(2, size=(n_rows, 1)).astype(float)
    if kind == "poisson":
        return Poisson(), rng.poisson(2.0, size=(n_rows, 1)).astype(float)
    return SquaredError(), rng.normal(size=(n_rows, n_outputs))


@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_gradient_of_the_ensemble_objective(case, kind):
    units, activations, target, front, weighted = GRADIENT_CASES[case]
    rng = np.random.RandomState(0)
    net, X = ensemble_network(units, activations, 3, rng, front)
    X[rng.uniform(size=X.shape) < 0.3] = 0.0
    base, y = targets(target, units[-1], rng)
    loss = _MemberMean(base, 3)
    weight = rng.uniform(0.5, 2.0, size=9) if weighted else None
    batch = sparse.csr_matrix(X) if kind == "sparse" else X

    def value(flat):
        net.params[...] = flat
        return objective(net, loss, batch, y, weight, 0.1, 9.0)

    start = net.params.copy()
    numeric = numerical_gradient(value, start)
    value(start)
    assert relative_error(net.grad, numeric) < 1e-6
    assert_allclose(predict_raw(batch, net.layers, net.arrays), net.forward(X))


def classification(n_classes=3, n_samples=200, seed=0):
    return make_classification(
        n_samples=n_samples,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
    )


def regression(n_targets=1, seed=0):
    X, y = make_regression(
        n_samples=200, n_features=6, n_targets=n_targets, noise=5.0, random_state=seed
    )
    return X, y / np.std(y)


SMALL = dict(hidden_layer_sizes=(8, 6), max_iter=8, batch_size=32, random_state=0)


@pytest.mark.parametrize(
    "estimator",
    [
        BackpropClassifier(**SMALL),
        BackpropClassifier(dropout=0.2, early_stopping=True, **SMALL),
        BackpropRegressor(
            optimizer="lbfgs", hidden_layer_sizes=(8,), max_iter=20, random_state=0
        ),
        BackpropRegressor(input_layers=["periodic", "scale"], init="data", **SMALL),
    ],
    ids=["adam", "dropout_early_stopping", "lbfgs", "input_layers_data_init"],
)
def test_one_member_is_the_plain_network(estimator):
    # n_members=1 builds today's layers: the golden fixture and MLP parity
    # pin their results; here the explicit 1 and the default agree bit for
    # bit, and no ensemble layer or adapter group is built.
    classifier = isinstance(estimator, BackpropClassifier)
    X, y = classification() if classifier else regression()
    plain = clone(estimator).fit(X, y)
    one = clone(estimator).set_params(n_members=1).fit(X, y)
    assert one.adapters_ == []
    dense = _model.layers(one)[len(one.input_params_) :]
    assert [type(layer) for layer in dense] == [Dense] * len(one.coefs_)
    for a, b in zip(one.coefs_ + one.intercepts_, plain.coefs_ + plain.intercepts_):
        assert_array_equal(a, b)
    assert one.loss_curve_ == plain.loss_curve_


def members_by_hand(model, X):
    """Each member's raw output, from the fitted arrays (ReLU layers)."""
    raws = []
    for i, scale in enumerate(model.adapters_[0]):
        a = X * scale
        for coef, intercept in zip(model.coefs_[:-1], model.intercepts_[:-1]):
            a = np.maximum(a @ coef + intercept, 0.0)
        raws.append(a @ model.coefs_[-1][i] + model.intercepts_[-1][i])
    return raws


def test_multiclass_prediction_is_the_mean_of_the_members():
    X, y = classification()
    model = BackpropClassifier(n_members=3, **SMALL).fit(X, y)
    assert [c.shape for c in model.coefs_] == [(6, 8), (8, 6), (3, 6, 3)]
    assert [b.shape for b in model.intercepts_] == [(8,), (6,), (3, 3)]
    assert model.adapters_[0].shape == (3, 6)
    assert model.n_outputs_ == 3
    proba = np.mean([softmax(raw, axis=1) for raw in members_by_hand(model, X)], 0)
    assert_allclose(model.predict_proba(X), proba, rtol=1e-12)
    assert_allclose(model.predict_log_proba(X), np.log(proba), rtol=1e-12)
    assert_allclose(model.decision_function(X), np.log(proba), rtol=1e-12)
    assert_allclose(softmax(model.decision_function(X), axis=1), proba, rtol=1e-12)
    assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    assert model.score(X, y) == np.mean(model.predict(X) == y)


def test_binary_and_multilabel_predictions_are_the_mean_of_the_members():
    X, y = classification(n_classes=2)
    model = BackpropClassifier(n_members=4, **SMALL).fit(X, y)
    p = np.mean([expit(raw) for raw in members_by_hand(model, X)], axis=0)[:, 0]
    assert_allclose(model.predict_proba(X)[:, 1], p, rtol=1e-12)
    assert_allclose(model.decision_function(X), logit(p), rtol=1e-9)
    assert_array_equal(model.predict(X), (p > 0.5).astype(int))
    Y = np.stack([y, 1 - y, X[:, 0] > 0], axis=1).astype(int)
    model = BackpropClassifier(n_members=2, **SMALL).fit(X, Y)
    p = np.mean([expit(raw) for raw in members_by_hand(model, X)], axis=0)
    assert_allclose(model.predict_proba(X), p, rtol=1e-12)
    assert_array_equal(model.predict(X), (p > 0.5).astype(int))


def test_regression_is_the_mean_of_the_members():
    X, y = regression(n_targets=2)
    model = BackpropRegressor(n_members=3, **SMALL).fit(X, y)
    expected = np.mean(members_by_hand(model, X), axis=0)
    assert_allclose(model.predict(X), expected, rtol=1e-12)
    model = BackpropRegressor(n_members=3, loss="poisson", **SMALL).fit(X, np.abs(y))
    expected = np.mean([np.exp(raw) for raw in members_by_hand(model, X)], axis=0)
    assert_allclose(model.predict(X), expected, rtol=1e-12)


def test_members_beat_one_on_noisy_data():
    # At the same epochs the plain network overfits the noisy labels (15%
    # flipped) and grows overconfident; the members' mean stays far better
    # calibrated: its validation log-loss is at most 0.8 of one member's,
    # on every seed (measured: 0.45 to 0.63 of it).
    for seed in range(3):
        X, y = make_classification(
            600, 10, n_informative=5, flip_y=0.15, class_sep=0.8, random_state=seed
        )
        losses = {}
        for k in (1, 4):
            model = BackpropClassifier(
                (32, 32),
                n_members=k,
                max_iter=60,
                learning_rate=0.01,
                batch_size=50,
                n_iter_no_change=1000,
                random_state=seed,
            ).fit(X[:300], y[:300])
            losses[k] = log_loss(y[300:], model.predict_proba(X[300:]))
        assert losses[4] < 0.8 * losses[1], (seed, losses)


def test_early_stopping_scores_the_members_mean():
    X, y = classification(n_samples=400)
    model = BackpropClassifier(
        n_members=4,
        early_stopping=True,
        n_iter_no_change=3,
        **{**SMALL, "max_iter": 60},
    )
    model.fit(X[:300], y[:300], X_val=X[300:], y_val=y[300:])
    assert model.validation_scores_[model.best_epoch_ - 1] == (
        model.best_validation_score_
    )
    # The best weights are restored: the ensemble scores as it did.
    assert model.score(X[300:], y[300:]) == model.best_validation_score_


def test_warm_start_and_partial_fit_continue_the_members():
    X, y = classification()
    settings = dict(n_members=3, shuffle=False, tol=0.0, n_iter_no_change=100, **SMALL)
    long = BackpropClassifier(**{**settings, "max_iter": 6}).fit(X, y)
    warm = BackpropClassifier(**{**settings, "max_iter": 2, "warm_start": True})
    for _ in range(3):
        warm.fit(X, y)
    assert_allclose(warm.loss_curve_, long.loss_curve_, rtol=1e-12)
    assert_allclose(warm.adapters_[0], long.adapters_[0], rtol=1e-12)
    stream = BackpropClassifier(n_members=3, **SMALL)
    for start in range(0, 200, 50):
        stream.partial_fit(
            X[start : start + 50], y[start : start + 50], classes=[0, 1, 2]
        )
    assert stream.t_ == 200
    with pytest.raises(ValueError, match="3 member"):
        warm.set_params(n_members=2).fit(X, y)


def test_pickle_and_to_namespace_keep_the_predictions():
    X, y = classification()
    model = BackpropClassifier(n_members=3, input_layers=["scale"], **SMALL).fit(X, y)
    for copy in (pickle.loads(pickle.dumps(model)), to_namespace(model)):
        assert_array_equal(copy.predict_proba(X), model.predict_proba(X))
        assert_array_equal(copy.decision_function(X), model.decision_function(X))
    restored = pickle.loads(pickle.dumps(model))
    restored.set_params(warm_start=True, max_iter=2).fit(X, y)
    assert restored.n_iter_ == 2


def test_callbacks_snapshot_and_restore_the_adapters():
    X, y = classification()
    model = BackpropClassifier(n_members=3, **SMALL).fit(X, y)
    saved = snapshot_weights(model)
    fitted = model.adapters_[0].copy()
    model.adapters_[0][...] = 0.0
    restore_weights(model, saved)
    assert_array_equal(model.adapters_[0], fitted)


@pytest.mark.parametrize("optimizer", ["sgd", "adamw", "muon", "lbfgs"])
def test_every_optimizer_trains_the_members(optimizer):
    X, y = regression()
    settings = {**SMALL, "max_iter": 30, "learning_rate": 0.01}
    model = BackpropRegressor(optimizer=optimizer, n_members=3, **settings)
    model.fit(X, y)
    assert model.score(X, y) > 0.8


def test_dropout_draws_per_member_and_repeats_with_the_seed():
    X, y = classification()
    fits = [
        BackpropClassifier(n_members=3, dropout=0.3, **SMALL).fit(X, y)
        for _ in range(2)
    ]
    assert_array_equal(fits[0].coefs_[-1], fits[1].coefs_[-1])
    plain = BackpropClassifier(n_members=3, **SMALL).fit(X, y)
    assert not np.array_equal(plain.coefs_[0], fits[0].coefs_[0])


def test_adapters_are_a_parameter_group():
    X, y = regression()
    fast = BackpropRegressor(
        n_members=2, parameter_groups={"adapter": {"lr_factor": 10.0}}, **SMALL
    ).fit(X, y)
    slow = BackpropRegressor(n_members=2, **SMALL).fit(X, y)

    def moved(model):
        return np.abs(np.abs(model.adapters_[0]) - 1.0).mean()

    assert moved(fast) > 2 * moved(slow) > 0
    # Not weights: alpha leaves them alone.
    net, _ = ensemble_network([4, 1], [Tanh()], 2, np.random.RandomState(0))
    groups = [group for group, _ in net.groups]
    assert [group.name for group in groups] == ["weights", "biases", "adapter"]
    assert [group.l2 for group in groups] == [True, False, False]
    with pytest.raises(ValueError, match="no group 'adapter'"):
        BackpropRegressor(parameter_groups={"adapter": {"lr_factor": 2.0}}).fit(X, y)


def test_adapters_start_at_random_signs():
    X, y = classification()
    model = BackpropClassifier(n_members=8, **{**SMALL, "max_iter": 1})
    layers = member_stack([6, 4, 3], [Tanh()], n_members=8)
    assert isinstance(layers[0], EnsembleInput)
    assert all(isinstance(layer, SharedDense) for layer in layers[1:-1])
    net = Network.empty(layers, np.float64, parameter_groups([EnsembleInput], None))
    net.initialize(np.random.RandomState(0))
    assert set(np.unique(net.arrays[0][0])) == {-1.0, 1.0}
    assert 0 < (net.arrays[0][0] > 0).mean() < 1
    assert model.fit(X, y).adapters_[0].shape == (8, 6)


def test_single_class_and_float32():
    X, y = classification()
    model = BackpropClassifier(n_members=3, **SMALL).fit(X, np.zeros_like(y))
    assert model.predict_proba(X).shape == (len(X), 1)
    assert model.decision_function(X).shape == (len(X),)
    model = BackpropClassifier(n_members=3, **SMALL).fit(X.astype(np.float32), y)
    proba = model.predict_proba(X.astype(np.float32))
    assert proba.dtype == np.float32
    assert model.predict_log_proba(X.astype(np.float32)).dtype == np.float32
    assert model.decision_function(X.astype(np.float32)).dtype == np.float32


def test_n_members_is_checked():
    X, y = classification()
    with pytest.raises(ValueError, match="n_members"):
        BackpropClassifier(n_members=0).fit(X, y)
