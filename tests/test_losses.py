"""Contract tests over every registered loss, plus known values."""

import pickle

import numpy as np
import pytest
from _gradcheck import numerical_gradient, relative_error
from numpy.testing import assert_allclose
from scipy.special import expit
from sklearn.base import clone

from skprop import BackpropRegressor
from skprop.losses import (
    _REGISTRY,
    Huber,
    LogitLink,
    LogLoss,
    Loss,
    MemberMeanLink,
    Poisson,
    Quantile,
    _MemberMean,
)

# Every registered loss, the multiclass form LogLoss takes for softmax, and
# both with label smoothing.
LOSSES = [cls() for cls in _REGISTRY.values()] + [
    LogLoss().for_target("multiclass"),
    LogLoss(label_smoothing=0.2),
    LogLoss(label_smoothing=0.2).for_target("multiclass"),
]
LOSS_IDS = list(_REGISTRY) + [
    "log_loss_multiclass",
    "log_loss_smoothed",
    "log_loss_multiclass_smoothed",
]


def targets_and_raw(loss, n_samples=6, n_outputs=3, seed=0):
    """Targets in the loss's domain and raw outputs away from its kinks."""
    rng = np.random.RandomState(seed)
    raw = rng.normal(size=(n_samples, n_outputs))
    if loss.link.out_activation == "softmax":
        y = np.eye(n_outputs)[rng.randint(n_outputs, size=n_samples)]
    elif loss.is_classification:
        y = rng.randint(2, size=(n_samples, n_outputs)).astype(float)
    elif isinstance(loss, Poisson):
        y = rng.poisson(2.0, size=(n_samples, n_outputs)).astype(float)
    else:
        # Residuals of at least 0.1 in size and never near Huber's delta of 1.
        magnitude = rng.choice([0.3, 0.6, 1.7, 2.5], size=raw.shape)
        y = raw - magnitude * rng.choice([-1, 1], size=raw.shape)
    return y, raw


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_gradient_matches_finite_differences(loss):
    y, raw = targets_and_raw(loss)
    numeric = numerical_gradient(lambda r: loss.loss(y, r).sum(), raw)
    assert relative_error(loss.gradient(y, raw), numeric) < 1e-6


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_loss_gradient_agrees_with_loss_and_gradient(loss):
    y, raw = targets_and_raw(loss)
    values, grad = loss.loss_gradient(y, raw)
    assert_allclose(values, loss.loss(y, raw), rtol=1e-12)
    assert_allclose(grad, loss.gradient(y, raw), rtol=1e-12)


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_sample_weight_is_applied_once(loss):
    y, raw = targets_and_raw(loss)
    weight = np.array([0.0, 1.0, 2.0, 0.5, 3.0, 1.0])
    total, grad = loss.weighted(y, raw, weight.copy(), scale=0.25)
    per_sample = loss.loss(y, raw).sum(axis=1)
    assert total == pytest.approx(per_sample @ weight, rel=1e-12)
    assert_allclose(grad, loss.gradient(y, raw) * weight[:, None] * 0.25, rtol=1e-12)


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_weight_two_equals_repeating_a_sample(loss):
    y, raw = targets_and_raw(loss)
    weight = np.ones(len(y))
    weight[0] = 2.0
    weighted_total, _ = loss.weighted(y, raw, weight)
    repeated_total, _ = loss.weighted(np.vstack([y, y[:1]]), np.vstack([raw, raw[:1]]))
    assert weighted_total == pytest.approx(repeated_total, rel=1e-12)


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_float32_stays_float32(loss):
    y, raw = targets_and_raw(loss)
    y, raw = y.astype(np.float32), raw.astype(np.float32)
    values, grad = loss.loss_gradient(y, raw)
    assert values.dtype == np.float32
    assert grad.dtype == np.float32
    assert loss.link.inverse(raw).dtype == np.float32


@pytest.mark.parametrize("loss", LOSSES, ids=LOSS_IDS)
def test_clone_and_pickle_round_trip(loss):
    for copy in (clone(loss), pickle.loads(pickle.dumps(loss))):
        assert type(copy) is type(loss)
        assert copy.get_params() == loss.get_params()
    y, raw = targets_and_raw(loss)
    assert_allclose(pickle.loads(pickle.dumps(loss)).loss(y, raw), loss.loss(y, raw))


@pytest.mark.parametrize("name", sorted(set(_REGISTRY) - {"log_loss"}))
def test_regressor_leaves_the_loss_object_unchanged(name):
    loss = _REGISTRY[name]()
    before = pickle.dumps(loss)
    X = np.random.RandomState(0).uniform(size=(40, 3))
    y = X.sum(axis=1) + 1.0
    BackpropRegressor(hidden_layer_sizes=(4,), loss=loss, max_iter=3).fit(X, y)
    assert pickle.dumps(loss) == before


def test_log_loss_is_stable_at_huge_logits():
    raw = np.array([[1e4], [-1e4]])
    y = np.array([[0.0], [1.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values, grad = LogLoss().loss_gradient(y, raw)
        multi_values, multi_grad = (
            LogLoss()
            .for_target("multiclass")
            .loss_gradient(
                np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[-1e4, 1e4], [1e4, -1e4]])
            )
        )
    assert_allclose(values.ravel(), [1e4, 1e4])
    assert_allclose(grad.ravel(), [1.0, -1.0])
    assert_allclose(multi_values.sum(axis=1), [2e4, 2e4])
    assert np.isfinite(multi_grad).all()


def test_known_values():
    y = np.array([[0.0], [1.0]])
    raw = np.array([[0.5], [-2.0]])
    assert_allclose(Huber(delta=1.0).loss(y, raw), [[0.125], [2.5]])
    assert_allclose(Quantile(quantile=0.9).loss(y, raw), [[0.05], [2.7]])
    assert_allclose(
        Poisson().loss(np.array([[2.0]]), np.array([[np.log(2.0)]])),
        [[0.0]],
        atol=1e-12,
    )
    assert_allclose(
        LogLoss().loss(y, raw),
        -np.log([[1 - 1 / (1 + np.exp(-0.5))], [1 / (1 + np.exp(2.0))]]),
    )


@pytest.mark.parametrize(
    "loss", [LogLoss().for_target("multiclass"), Huber(), Poisson()], ids=str
)
def test_member_mean_is_the_mean_of_each_members_loss(loss):
    y, _ = targets_and_raw(loss)
    raw = np.random.RandomState(1).normal(size=(6, 4 * 3))
    weight = np.random.RandomState(2).uniform(0.5, 2.0, size=6)
    members = _MemberMean(loss, 4)
    blocks = [raw[:, 3 * i : 3 * i + 3] for i in range(4)]
    mean = np.mean([loss.value(y, block, weight) for block in blocks])
    assert members.value(y, raw, weight) == pytest.approx(mean, rel=1e-12)
    total, grad = members.weighted(y, raw, weight, 0.5)
    assert total == pytest.approx(mean, rel=1e-12)
    for i, block in enumerate(blocks):
        _, expected = loss.weighted(y, block, weight, 0.5 / 4)
        assert_allclose(grad[:, 3 * i : 3 * i + 3], expected, rtol=1e-12)
    assert members.link.inverse(raw).shape == y.shape
    for part in (members, members.link):
        assert pickle.loads(pickle.dumps(part)).get_params()["n_members"] == 4
        assert clone(part).get_params()["n_members"] == 4


def test_member_mean_link_averages_probabilities_and_keeps_logs_finite():
    link = MemberMeanLink(LogitLink(), n_members=2)
    assert_allclose(link.inverse(np.array([[0.0, 100.0]])), [[0.75]])
    raw = np.array([[-800.0, -900.0], [800.0, 900.0]])
    assert_allclose(link.log_inverse(raw)[0], -800.0 - np.log(2), rtol=1e-12)
    assert_allclose(link.log_complement(raw)[1], -800.0 - np.log(2), rtol=1e-12)
    assert np.all(np.isfinite(link.scores(raw)))
    assert link.scores(raw.astype(np.float32)).dtype == np.float32
    assert (link.out_activation, link.output_kind) == ("logistic", "probability")


def test_poisson_rejects_negative_targets():
    with pytest.raises(ValueError, match="negative"):
        BackpropRegressor(loss="poisson", max_iter=2).fit([[0.0], [1.0]], [1.0, -1.0])


def test_user_defined_loss_in_fit_partial_fit_and_grid_search():
    from sklearn.model_selection import GridSearchCV

    class LogCosh(Loss):
        def __init__(self, scale=1.0):
            self.scale = scale

        def loss(self, y, raw):
            residual = (raw - y) / self.scale
            return np.logaddexp(residual, -residual) - np.log(2.0)

        def gradient(self, y, raw):
            return np.tanh((raw - y) / self.scale) / self.scale

    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=200)
    model = BackpropRegressor(
        hidden_layer_sizes=(),
        loss=LogCosh(),
        learning_rate=0.05,
        max_iter=300,
        random_state=0,
    )
    assert model.fit(X, y).score(X, y) > 0.95
    epochs = len(model.loss_curve_)
    model.partial_fit(X, y)
    assert len(model.loss_curve_) == epochs + 1
    assert model.score(X, y) > 0.95
    search = GridSearchCV(model, {"loss__scale": [0.5, 2.0]}, cv=2).fit(X, y)
    assert search.best_estimator_.loss.scale == search.best_params_["loss__scale"]
    assert search.best_score_ > 0.9


def test_label_smoothing_trains_on_targets_moved_towards_uniform():
    raw = np.array([[2.0, -1.0, 0.5]])
    y = np.array([[0.0, 1.0, 0.0]])
    smoothed = LogLoss(label_smoothing=0.3).for_target("multiclass")
    target = y * 0.7 + 0.1
    log_proba = raw - np.log(np.exp(raw).sum())
    assert_allclose(smoothed.loss(y, raw), -target * log_proba)
    assert_allclose(smoothed.gradient(y, raw), np.exp(log_proba) - target)
    binary = LogLoss(label_smoothing=0.3)
    assert_allclose(binary.gradient(y, raw), expit(raw) - (y * 0.7 + 0.15))
    assert_allclose(LogLoss(label_smoothing=0.0).loss(y, raw), LogLoss().loss(y, raw))
