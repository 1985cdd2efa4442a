"""Training and predicting on arrays of other Array API libraries than NumPy
(array-api-strict, torch on the CPU), with scikit-learn's array_api_dispatch.

scikit-learn's own Array API checks run through `check_estimator` in
test_estimators.py; these check more strictly (every array of the fitted
model and its optimizer state, not only top-level attributes) and check the
values against the NumPy engine.
"""

import importlib
import pickle

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn import config_context
from sklearn.datasets import make_classification, make_regression

from skprop import BackpropClassifier, BackpropRegressor, DivergenceError, to_namespace
from skprop import activations as _activations
from skprop import losses as _losses
from skprop import optimizers as _optimizers
from skprop import schedules as _schedules
from skprop._numeric import array_namespace, to_numpy
from skprop.callbacks import EarlyStopping, History
from skprop.layers import CategoricalEmbedding, FeatureScale, PeriodicEmbedding
from skprop.losses import Loss
from skprop.optimizers import SGD


def _dispatch_unavailable():
    """Why scikit-learn's array_api_dispatch cannot be switched on here, or
    None (older scikit-learn needs array-api-compat and SciPy >= 1.14)."""
    if array_namespace is None:
        return "array-api-compat is not installed (scikit-learn < 1.7 needs it)"
    try:
        with config_context(array_api_dispatch=True):
            return None
    except (ImportError, RuntimeError) as error:
        return f"array_api_dispatch is unavailable: {error}"


if _dispatch_unavailable() is not None:
    pytest.skip(_dispatch_unavailable(), allow_module_level=True)


def _importable(name):
    """Whether the library `name` imports here."""
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def _namespaces():
    """(name, make array, device) of each library installed here."""
    found = []
    if not _importable("array_api_strict"):
        found.append(
            pytest.param(
                None,
                marks=pytest.mark.skip(reason="array-api-strict is not installed"),
                id="array_api_strict",
            )
        )
    else:
        found.append(pytest.param("array_api_strict", id="array_api_strict"))
    if not _importable("torch"):
        found.append(
            pytest.param(
                None,
                marks=pytest.mark.skip(
                    reason="torch is not installed (pip install skprop[array-api])"
                ),
                id="torch",
            )
        )
    else:
        found.append(pytest.param("torch", id="torch"))
    return found


NAMESPACES = _namespaces()
requires_torch = pytest.mark.skipif(
    not _importable("torch"),
    reason="torch is not installed (pip install skprop[array-api])",
)


def namespace(name):
    """The namespace module of library `name` and a device there."""
    module = importlib.import_module(name)
    xp = array_namespace(module.asarray([1.0]))
    device = "cpu" if name == "torch" else None
    return xp, device


def to_xp(name, *arrays, dtype="float64"):
    """`arrays` in library `name` (float arrays in `dtype`)."""
    xp, device = namespace(name)
    out = []
    for a in arrays:
        a = np.asarray(a)
        if a.dtype.kind == "f":
            a = a.astype(dtype)
        out.append(xp.asarray(a, device=device))
    return out


def assert_in_namespace(a, like):
    """`a` is an array of `like`'s namespace, on its device."""
    assert not isinstance(a, np.ndarray), type(a)
    assert array_namespace(a) == array_namespace(like)
    assert a.device == like.device


def every_array(model):
    """Each array of the fitted weights and the optimizer state."""
    arrays = list(model.coefs_) + list(model.intercepts_)
    return arrays + [v for v in model._optimizer_state.values() if hasattr(v, "shape")]


def classification(n_classes=3, n_samples=120, seed=0):
    return make_classification(
        n_samples=n_samples,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
    )


def regression(n_samples=120, n_targets=1, seed=0):
    X, y = make_regression(
        n_samples=n_samples, n_features=6, n_targets=n_targets, random_state=seed
    )
    return X, y / np.std(y)


SMALL = dict(hidden_layer_sizes=(8, 5), max_iter=6, random_state=0, batch_size=32)


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("optimizer", sorted(_optimizers._REGISTRY))
def test_every_fitted_array_follows_the_data(name, optimizer):
    X, y = classification()
    X_xp, y_xp = to_xp(name, X, y)
    with config_context(array_api_dispatch=True):
        model = BackpropClassifier(optimizer=optimizer, **SMALL).fit(X_xp, y_xp)
        for array in every_array(model) + [model.classes_]:
            assert_in_namespace(array, X_xp)
        for method in ("predict", "predict_proba", "predict_log_proba"):
            assert_in_namespace(getattr(model, method)(X_xp), X_xp)
        assert_in_namespace(model.decision_function(X_xp), X_xp)
        assert isinstance(model.score(X_xp, y_xp), float)
        if optimizer != "lbfgs":
            model.partial_fit(X_xp, y_xp)
            for array in every_array(model):
                assert_in_namespace(array, X_xp)


def _fit_both(estimator, X, y, name, dtype="float64", **fit_params):
    """The estimator fitted on NumPy and on library `name`."""
    reference = sklearn.base.clone(estimator).fit(X.astype(dtype), y, **fit_params)
    X_xp, y_xp = to_xp(name, X, y, dtype=dtype)
    xp_params = {
        key: to_xp(name, value, dtype=dtype)[0] for key, value in fit_params.items()
    }
    with config_context(array_api_dispatch=True):
        model = sklearn.base.clone(estimator).fit(X_xp, y_xp, **xp_params)
    return reference, model, X_xp


def assert_same_weights(reference, model, tol=1e-10):
    pairs = zip(
        reference.coefs_ + reference.intercepts_, model.coefs_ + model.intercepts_
    )
    for expected, got in pairs:
        assert_allclose(to_numpy(got), expected, rtol=0, atol=tol)
    assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=1e-10)


CLASSIFIERS = {
    "adam": BackpropClassifier(**SMALL),
    "sgd_nesterov": BackpropClassifier(optimizer=SGD(momentum=0.9), **SMALL),
    "sgd_plain": BackpropClassifier(
        optimizer=SGD(momentum=0.5, nesterov=False), **SMALL
    ),
    "rmsprop_tanh": BackpropClassifier(optimizer="rmsprop", activation="tanh", **SMALL),
    "adagrad_logistic": BackpropClassifier(
        optimizer="adagrad", activation="logistic", **SMALL
    ),
    "adamw_clip": BackpropClassifier(optimizer="adamw", clip_grad_norm=0.5, **SMALL),
    "lbfgs": BackpropClassifier(
        optimizer="lbfgs", hidden_layer_sizes=(8,), max_iter=15, random_state=0
    ),
    "balanced": BackpropClassifier(class_weight="balanced", **SMALL),
    "early_stopping": BackpropClassifier(
        early_stopping=True, validation_fraction=0.2, **SMALL
    ),
    "invscaling": BackpropClassifier(
        learning_rate=_schedules.InvScaling(0.05), **SMALL
    ),
}


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("config", sorted(CLASSIFIERS))
def test_classifier_float64_gives_the_numpy_weights(name, config):
    X, y = classification()
    reference, model, X_xp = _fit_both(CLASSIFIERS[config], X, y, name)
    assert_same_weights(reference, model)
    assert model.n_iter_ == reference.n_iter_
    with config_context(array_api_dispatch=True):
        proba = to_numpy(model.predict_proba(X_xp))
        labels = to_numpy(model.predict(X_xp))
    assert_allclose(proba, reference.predict_proba(X), atol=1e-10)
    np.testing.assert_array_equal(labels, reference.predict(X))


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("loss", sorted(_losses._REGISTRY.keys() - {"log_loss"}))
def test_regressor_float64_gives_the_numpy_weights(name, loss):
    X, y = regression()
    if loss == "poisson":
        y = np.abs(y)
    estimator = BackpropRegressor(loss=loss, alpha=0.01, **SMALL)
    weight = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    reference, model, X_xp = _fit_both(estimator, X, y, name, sample_weight=weight)
    assert_same_weights(reference, model)
    with config_context(array_api_dispatch=True):
        predicted = to_numpy(model.predict(X_xp))
    assert_allclose(predicted, reference.predict(X), atol=1e-10)


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("activation", sorted(_activations._REGISTRY))
def test_every_activation_gives_the_numpy_weights(name, activation):
    X, y = regression()
    estimator = BackpropRegressor(activation=activation, **SMALL)
    reference, model, _ = _fit_both(estimator, X, y, name)
    assert_same_weights(reference, model, tol=1e-9)


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("schedule", sorted(_schedules._REGISTRY))
def test_every_schedule_gives_the_numpy_weights(name, schedule):
    X, y = regression(n_targets=2)
    estimator = BackpropRegressor(
        learning_rate=_schedules._REGISTRY[schedule](0.01), **SMALL
    )
    reference, model, _ = _fit_both(estimator, X, y, name)
    assert_same_weights(reference, model)


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("target", ["binary", "multilabel"])
def test_binary_and_multilabel_outputs_match_numpy(name, target):
    X, y = classification(n_classes=2)
    if target == "multilabel":
        y = np.stack([y, 1 - y, X[:, 0] > 0], axis=1).astype(int)
    reference, model, X_xp = _fit_both(BackpropClassifier(**SMALL), X, y, name)
    with config_context(array_api_dispatch=True):
        for method in ("predict", "predict_proba", "predict_log_proba"):
            got = to_numpy(getattr(model, method)(X_xp))
            assert_allclose(got, getattr(reference, method)(X), atol=1e-10)
        got = to_numpy(model.decision_function(X_xp))
    assert_allclose(got, reference.decision_function(X), atol=1e-10)


@requires_torch
def test_torch_float32_predictions_agree_with_numpy():
    X, y = classification(n_samples=300)
    estimator = BackpropClassifier(
        hidden_layer_sizes=(32,), max_iter=20, random_state=0
    )
    reference, model, X_xp = _fit_both(estimator, X, y, "torch", dtype="float32")
    assert model.coefs_[0].dtype == X_xp.dtype
    with config_context(array_api_dispatch=True):
        proba = to_numpy(model.predict_proba(X_xp))
    assert proba.dtype == np.float32
    assert_allclose(proba, reference.predict_proba(X.astype("float32")), atol=1e-5)


@pytest.mark.parametrize("name", NAMESPACES)
def test_validation_data_and_callbacks_on_the_device(name):
    X, y = classification()
    X_val, y_val = classification(n_samples=40, seed=1)
    history = History()
    stop = EarlyStopping(monitor="val_loss", patience=2)
    X_xp, y_xp, X_val_xp = to_xp(name, X, y, X_val)
    estimator = BackpropClassifier(
        early_stopping=True, callbacks=[history, stop], **SMALL
    )
    reference = sklearn.base.clone(estimator).fit(X, y, X_val=X_val, y_val=y_val)
    with config_context(array_api_dispatch=True):
        # y_val stays NumPy: every input follows X.
        model = estimator.fit(X_xp, y_xp, X_val=X_val_xp, y_val=y_val)
    assert_allclose(model.validation_scores_, reference.validation_scores_)
    assert_allclose(model.validation_loss_curve_, reference.validation_loss_curve_)
    assert len(history.records_) == model.n_iter_


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("n_members", [1, 3])
def test_dropout_is_reproducible_per_backend(name, n_members):
    X, y = classification()
    X_xp, y_xp = to_xp(name, X, y)
    estimator = BackpropClassifier(dropout=0.3, n_members=n_members, **SMALL)
    with config_context(array_api_dispatch=True):
        first, second = (sklearn.base.clone(estimator).fit(X_xp, y_xp) for _ in "ab")
    for a, b in zip(first.coefs_, second.coefs_):
        assert_allclose(to_numpy(a), to_numpy(b), rtol=0, atol=0)


@pytest.mark.parametrize("name", NAMESPACES)
def test_divergence_keeps_the_previous_model(name):
    X, y = regression()
    X_xp, y_xp = to_xp(name, X, y * 1e200)
    model = BackpropRegressor(optimizer=SGD(), learning_rate=10.0, **SMALL)
    with pytest.raises(DivergenceError, match="epoch 1: the training loss"):
        sklearn.base.clone(model).fit(X, y * 1e200)
    with config_context(array_api_dispatch=True):
        # A sound first call (at learning_rate=10 it would explode already).
        model.set_params(learning_rate=0.01).partial_fit(*to_xp(name, X, y))
        model.set_params(learning_rate=10.0)
        before = [to_numpy(c).copy() for c in model.coefs_]
        with pytest.raises(DivergenceError, match="epoch 2: the training loss"):
            model.partial_fit(X_xp, y_xp)
    for a, b in zip(before, model.coefs_):
        np.testing.assert_array_equal(a, to_numpy(b))


class NumpyOnlyLoss(Loss):
    """A user loss that knows only NumPy."""

    def loss(self, y, raw):
        return 0.5 * (raw - y) ** 2

    def gradient(self, y, raw):
        return raw - y


@pytest.mark.parametrize("name", NAMESPACES)
def test_a_numpy_only_part_says_what_to_implement(name):
    X, y = regression()
    model = BackpropRegressor(loss=NumpyOnlyLoss(), **SMALL)
    assert not model.__sklearn_tags__().array_api_support
    with config_context(array_api_dispatch=True):
        with pytest.raises(TypeError, match="NumpyOnlyLoss.*loss_xp"):
            model.fit(*to_xp(name, X, y))
    # NumPy input still trains with it.
    with config_context(array_api_dispatch=True):
        model.fit(X, y)


def test_built_in_parts_declare_array_api_support():
    assert BackpropClassifier().__sklearn_tags__().array_api_support
    assert BackpropRegressor(loss="poisson", optimizer="lbfgs").__sklearn_tags__()
    assert BackpropRegressor(activation=["gelu", "mish"], hidden_layer_sizes=(3, 3))


@pytest.mark.parametrize("name", NAMESPACES)
def test_another_namespace_than_fit_is_refused(name):
    X, y = classification()
    with config_context(array_api_dispatch=True):
        model = BackpropClassifier(**SMALL).fit(*to_xp(name, X, y))
        with pytest.raises(ValueError, match="must use the same namespace"):
            model.predict(X)
        numpy_model = BackpropClassifier(**SMALL).fit(X, y)
        with pytest.raises(ValueError, match="predict_proba.*same namespace"):
            numpy_model.predict_proba(to_xp(name, X)[0])


@requires_torch
def test_without_dispatch_torch_input_trains_on_numpy():
    import torch

    X, y = classification()
    model = BackpropClassifier(**SMALL).fit(torch.asarray(X), torch.asarray(y))
    reference = BackpropClassifier(**SMALL).fit(X, y)
    assert isinstance(model.coefs_[0], np.ndarray)
    np.testing.assert_array_equal(model.coefs_[0], reference.coefs_[0])


@pytest.mark.parametrize("name", NAMESPACES)
def test_a_device_model_moves_to_numpy_and_back(name):
    X, y = classification()
    X_xp, y_xp = to_xp(name, X, y)
    with config_context(array_api_dispatch=True):
        model = BackpropClassifier(**SMALL).fit(X_xp, y_xp)
        expected = to_numpy(model.predict_proba(X_xp))
    on_numpy = pickle.loads(pickle.dumps(to_namespace(model)))
    for array in every_array(on_numpy) + [on_numpy.classes_]:
        assert isinstance(array, np.ndarray)
    assert_allclose(on_numpy.predict_proba(X), expected, atol=1e-12)
    # The original stays on its device, and a NumPy model goes back there.
    assert_in_namespace(model.coefs_[0], X_xp)
    back = to_namespace(on_numpy, like=X_xp)
    with config_context(array_api_dispatch=True):
        assert_allclose(to_numpy(back.predict_proba(X_xp)), expected)
        back.partial_fit(X_xp, y_xp)


@pytest.mark.parametrize("name", NAMESPACES)
def test_warm_start_continues_on_the_device(name):
    X, y = classification()
    X_xp, y_xp = to_xp(name, X, y)
    estimator = BackpropClassifier(warm_start=True, **SMALL)
    reference = sklearn.base.clone(estimator).fit(X, y).fit(X, y)
    with config_context(array_api_dispatch=True):
        model = estimator.fit(X_xp, y_xp).fit(X_xp, y_xp)
    assert len(model.loss_curve_) == 2 * SMALL["max_iter"]
    assert_same_weights(reference, model)
    # A device model asks for dispatch (or a move to NumPy) to predict.
    with pytest.raises(ValueError, match="to_namespace"):
        model.predict(X)


@requires_torch
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_no_read_back_per_batch(monkeypatch, optimizer):
    """Reading a tensor on the host (a GPU sync) happens per epoch, never
    per batch: the count is the same for 2 batches an epoch as for 20."""
    import torch

    reads = []
    for name in ("__float__", "__bool__", "__int__", "item", "tolist", "numpy", "cpu"):
        original = getattr(torch.Tensor, name)

        def counted(self, *args, _original=original, **kwargs):
            reads.append(1)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, counted)
    X, y = classification(n_samples=200)
    X_xp, y_xp = to_xp("torch", X, y)
    counts = []
    for batch_size in (10, 100):
        reads.clear()
        with config_context(array_api_dispatch=True):
            BackpropClassifier(
                optimizer=optimizer,
                clip_grad_norm=1.0,
                dropout=0.1,
                **{**SMALL, "batch_size": batch_size},
            ).fit(X_xp, y_xp, X_val=X_xp[:50], y_val=y_xp[:50])
        counts.append(len(reads))
    assert 0 < counts[0] == counts[1]


@pytest.mark.parametrize("name", NAMESPACES)
def test_partial_fit_stream_with_device_classes(name):
    X, y = classification()
    X_xp, y_xp, classes = to_xp(name, X, y, np.unique(y))
    reference = BackpropClassifier(**SMALL)
    model = BackpropClassifier(**SMALL)
    for start in (0, 60):
        rows = slice(start, start + 60)
        reference.partial_fit(X[rows], y[rows], classes=np.unique(y))
        with config_context(array_api_dispatch=True):
            model.partial_fit(X_xp[rows, ...], y_xp[rows, ...], classes=classes)
    assert_same_weights(reference, model)
    assert_in_namespace(model.classes_, X_xp)


@requires_torch
def test_sklearn_scoring_monitor_on_the_device():
    sklearn_callback = pytest.importorskip(
        "sklearn.callback", reason="scikit-learn's callback framework needs >= 1.9"
    )
    X, y = classification()
    X_xp, y_xp = to_xp("torch", X, y)
    monitor = sklearn_callback.ScoringMonitor(scoring="accuracy")
    model = BackpropClassifier(**SMALL)
    with config_context(array_api_dispatch=True):
        model.set_callbacks(monitor).fit(X_xp, y_xp)
        score = model.score(X_xp, y_xp)
    epochs = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert len(epochs) == SMALL["max_iter"]
    assert epochs[-1]["accuracy"] == pytest.approx(score)


@pytest.mark.parametrize("name", NAMESPACES)
def test_parameter_groups_and_data_init_give_the_numpy_weights(name):
    X, y = regression()
    estimator = BackpropRegressor(
        optimizer="adamw",
        init="data",
        parameter_groups={"biases": {"lr_factor": 0.1, "weight_decay": False}},
        early_stopping="last_best",
        **SMALL,
    )
    reference, model, X_xp = _fit_both(estimator, X, y, name)
    assert_same_weights(reference, model)


def assert_same_model(reference, model, tol=1e-10):
    """Every fitted array, input layers' and mixes' included, agrees."""
    assert_same_weights(reference, model, tol)
    for expected, got in zip(
        _flat(reference.input_params_), _flat(model.input_params_), strict=True
    ):
        assert_in_namespace(got, model.coefs_[0])
        assert_allclose(to_numpy(got), expected, rtol=0, atol=tol)
    for expected, got in zip(
        reference.activation_params_, model.activation_params_, strict=True
    ):
        if expected is None:
            assert got is None
            continue
        assert_in_namespace(got, model.coefs_[0])
        assert_allclose(to_numpy(got), expected, rtol=0, atol=tol)


def _flat(per_layer):
    return [a for arrays in per_layer for a in arrays]


# The tabular recipe's network: input layers, Parametric activations, data
# initialisation, parameter groups and last_best early stopping together.
RECIPE_NETWORKS = {
    "periodic_scale_parametric": dict(
        input_layers=["periodic", "scale"],
        activation=_activations.Parametric("selu"),
        init="data",
        optimizer="adamw",
        parameter_groups={
            "scale": {"lr_factor": 6.0},
            "activation": {"lr_factor": 0.1},
        },
        early_stopping="last_best",
    ),
    "scale_only": dict(input_layers=["scale"], optimizer="sgd"),
    "parametric_tanh_lbfgs": dict(
        activation=_activations.Parametric("tanh"), optimizer="lbfgs"
    ),
}


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("config", sorted(RECIPE_NETWORKS))
def test_input_layers_and_parametric_give_the_numpy_weights(name, config):
    X, y = regression()
    X = np.hstack([X, (X[:, :1] > 0).astype(float)])  # a binary column: skipped
    estimator = BackpropRegressor(**RECIPE_NETWORKS[config], **SMALL)
    assert estimator.__sklearn_tags__().array_api_support
    reference, model, X_xp = _fit_both(estimator, X, y, name)
    assert_same_model(reference, model)
    with config_context(array_api_dispatch=True):
        predicted = model.predict(X_xp)
    assert_in_namespace(predicted, X_xp)
    assert_allclose(to_numpy(predicted), reference.predict(X), rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", NAMESPACES)
def test_input_layers_classifier_gives_the_numpy_weights(name):
    X, y = classification()
    estimator = BackpropClassifier(
        input_layers=["periodic"], activation=_activations.Parametric("relu"), **SMALL
    )
    reference, model, X_xp = _fit_both(estimator, X, y, name)
    assert_same_model(reference, model)
    with config_context(array_api_dispatch=True):
        proba = model.predict_proba(X_xp)
    assert_allclose(to_numpy(proba), reference.predict_proba(X), rtol=0, atol=1e-10)


# Categorical embeddings: first (no input gradient), and between layers
# (the input's gradient reaches the periodic layer).
CATEGORICAL_NETWORKS = {
    "categorical_adam": dict(input_layers=[CategoricalEmbedding(columns=[6, 7])]),
    "periodic_categorical_scale": dict(
        input_layers=[
            PeriodicEmbedding(n_frequencies=4, n_outputs=2),
            CategoricalEmbedding(columns=[7], n_dims=3),
            FeatureScale(),
        ],
        init="data",
        optimizer="adamw",
        early_stopping="last_best",
    ),
    "categorical_lbfgs": dict(
        input_layers=[CategoricalEmbedding(columns=[7, 6], n_dims=2)],
        optimizer="lbfgs",
    ),
}


def coded_regression():
    """`regression`'s data with two code columns (6 and 7) that the target
    depends on, an unknown code (-1) among them, and new data with unseen
    codes."""
    X, y = regression()
    rng = np.random.RandomState(0)
    codes = rng.randint([4, 12], size=(X.shape[0], 2)).astype(float)
    codes[:5, 0] = -1.0
    y = y + rng.normal(size=4)[codes[:, 0].astype(int)] + 0.1 * codes[:, 1]
    X_new = np.hstack([X[:6], [[-1, 0], [4, 11], [2.5, 12], [0, -3], [3, 40], [1, 2]]])
    return np.hstack([X, codes]), y, X_new


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("config", sorted(CATEGORICAL_NETWORKS))
def test_categorical_embeddings_give_the_numpy_weights(name, config):
    X, y, X_new = coded_regression()
    estimator = BackpropRegressor(**CATEGORICAL_NETWORKS[config], **SMALL)
    assert estimator.__sklearn_tags__().array_api_support
    reference, model, X_xp = _fit_both(estimator, X, y, name)
    assert_same_model(reference, model)
    X_new_xp = to_xp(name, X_new)[0]
    with config_context(array_api_dispatch=True):
        predicted = model.predict(X_xp)
        predicted_new = model.predict(X_new_xp)
    assert_in_namespace(predicted, X_xp)
    assert_allclose(to_numpy(predicted), reference.predict(X), rtol=0, atol=1e-10)
    expected_new = reference.predict(X_new)
    assert_allclose(to_numpy(predicted_new), expected_new, rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", NAMESPACES)
def test_a_numpy_only_engine_layer_says_so(name):
    # test_network's layer of its own is written to the interface without
    # `ops` (forward(arrays, X, work, rng)).
    from test_network import Scale

    class OldFeatureScale(FeatureScale):
        array_api_support = False

        def build(self, n_inputs, X):
            return Scale(n_inputs)

        def group(self):
            return dict(name="scales", l2=False)

    X, y = regression()
    model = BackpropRegressor(input_layers=[OldFeatureScale()], **SMALL)
    numpy_model = sklearn.base.clone(model).fit(X, y)
    assert np.isfinite(numpy_model.predict(X)).all()
    with config_context(array_api_dispatch=True):
        with pytest.raises(TypeError, match="Scale has no Array API support"):
            model.fit(*to_xp(name, X, y))


# Ensembles in one network (n_members): adapters, shared hidden layers (a
# Parametric one included) and one head per member.
ENSEMBLES = {
    "multiclass_adam": (BackpropClassifier(n_members=3, **SMALL), 3),
    "binary_early_stopping": (
        BackpropClassifier(
            n_members=4, early_stopping=True, validation_fraction=0.2, **SMALL
        ),
        2,
    ),
    "multiclass_lbfgs": (
        BackpropClassifier(
            n_members=2,
            optimizer="lbfgs",
            hidden_layer_sizes=(8,),
            max_iter=15,
            random_state=0,
        ),
        3,
    ),
    "regressor_weighted": (BackpropRegressor(n_members=3, alpha=0.01, **SMALL), None),
    "regressor_muon": (BackpropRegressor(n_members=2, optimizer="muon", **SMALL), None),
    "recipe_network": (
        BackpropRegressor(
            n_members=3, **RECIPE_NETWORKS["periodic_scale_parametric"], **SMALL
        ),
        None,
    ),
}


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("config", sorted(ENSEMBLES))
def test_ensembles_give_the_numpy_weights(name, config):
    estimator, n_classes = ENSEMBLES[config]
    if n_classes is None:
        X, y = regression()
        fit_params = {"sample_weight": np.random.RandomState(0).uniform(0.5, 2, 120)}
    else:
        X, y = classification(n_classes=n_classes)
        fit_params = {}
    reference, model, X_xp = _fit_both(estimator, X, y, name, **fit_params)
    assert_same_model(reference, model)
    for expected, got in zip(reference.adapters_, model.adapters_, strict=True):
        assert_in_namespace(got, X_xp)
        assert_allclose(to_numpy(got), expected, rtol=0, atol=1e-10)
    methods = ["predict"]
    if n_classes is not None:
        methods += ["predict_proba", "predict_log_proba", "decision_function"]
    with config_context(array_api_dispatch=True):
        outputs = {method: getattr(model, method)(X_xp) for method in methods}
    for method, got in outputs.items():
        assert_in_namespace(got, X_xp)
        expected = getattr(reference, method)(X)
        assert_allclose(to_numpy(got), expected, rtol=0, atol=1e-10)
