"""Persistence: pickle, joblib and skops keep predictions bit for bit."""

import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification, make_multilabel_classification

from skprop import (
    BackpropClassifier,
    BackpropRegressor,
    InconsistentSkpropVersionWarning,
)
from skprop.activations import LeakyReLU
from skprop.callbacks import EarlyStopping, History
from skprop.losses import Huber
from skprop.optimizers import SGD, AdamW
from skprop.schedules import Adaptive, InvScaling

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def make_data(dtype=np.float64):
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    return X.astype(dtype), y


def fitted_models():
    """(name, model, X) for a variety of fitted estimators."""
    X, y = make_data()
    X32 = X.astype(np.float32)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    labels = np.array(["low", "mid", "high"])[y]
    X_ml, Y_ml = make_multilabel_classification(
        n_samples=150, n_features=5, n_classes=3, random_state=0
    )
    small = {"hidden_layer_sizes": (7,), "max_iter": 5, "random_state": 0}
    classifier = BackpropClassifier(
        activation=[LeakyReLU(negative_slope=0.1)],
        optimizer=SGD(momentum=0.9, nesterov=True),
        learning_rate=InvScaling(0.01, power_t=0.3),
        class_weight={0: 1.0, 1: 2.0, 2: 1.0},
        callbacks=[History(), EarlyStopping(monitor="loss")],
        **small,
    ).fit(X, y)
    regressor = BackpropRegressor(
        loss=Huber(delta=0.5), optimizer=AdamW(), learning_rate=Adaptive(0.01), **small
    ).fit(X32, X32[:, :2], X_val=X32, y_val=X32[:, :2])
    return [
        ("classifier", classifier, X),
        ("strings, DataFrame", BackpropClassifier(**small).fit(frame, labels), frame),
        (
            "float32 lbfgs",
            BackpropClassifier(optimizer="lbfgs", **small).fit(X32, y),
            X32,
        ),
        ("multilabel", BackpropClassifier(**small).fit(X_ml, Y_ml), X_ml),
        (
            "early stopping",
            BackpropClassifier(early_stopping=True, **small).fit(X, y),
            X,
        ),
        ("float32 regressor", regressor, X32),
        ("poisson", BackpropRegressor(loss="poisson", **small).fit(X, y), X),
        ("streaming", streaming_model(X, y), X),
        (
            "members",
            BackpropClassifier(n_members=3, input_layers=["scale"], **small).fit(X, y),
            X,
        ),
        ("members regressor", BackpropRegressor(n_members=2, **small).fit(X, y), X),
    ]


def streaming_model(X, y, n_chunks=3):
    """A classifier that has seen the first `n_chunks` chunks of `X`, `y`."""
    model = BackpropClassifier((7,), optimizer=SGD(momentum=0.9), random_state=0)
    for X_chunk, y_chunk in zip(np.array_split(X, 5)[:n_chunks], np.array_split(y, 5)):
        model.partial_fit(X_chunk, y_chunk, classes=np.unique(y), X_val=X, y_val=y)
    return model


def predictions(model, X):
    """Every prediction the model makes."""
    methods = ["predict", "predict_proba", "predict_log_proba", "decision_function"]
    return [getattr(model, name)(X) for name in methods if hasattr(model, name)]


def assert_same_predictions(restored, model, X):
    assert type(restored) is type(model)
    for ours, theirs in zip(predictions(restored, X), predictions(model, X)):
        assert ours.dtype == theirs.dtype
        assert_array_equal(ours, theirs, strict=True)


CASES = fitted_models()
IDS = [name for name, _, _ in CASES]
MODELS = [(model, X) for _, model, X in CASES]


@pytest.mark.parametrize(("model", "X"), MODELS, ids=IDS)
def test_pickle_round_trip(model, X):
    assert_same_predictions(pickle.loads(pickle.dumps(model)), model, X)


@pytest.mark.parametrize(("model", "X"), MODELS, ids=IDS)
def test_joblib_round_trip(model, X, tmp_path):
    joblib.dump(model, tmp_path / "model.joblib")
    assert_same_predictions(joblib.load(tmp_path / "model.joblib"), model, X)


@pytest.mark.parametrize(("model", "X"), MODELS, ids=IDS)
def test_skops_trusts_only_skprop_types(model, X, tmp_path):
    sio = pytest.importorskip("skops.io", reason="skops is in the persistence extra")
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert untrusted
    assert all(name.startswith("skprop.") for name in untrusted), untrusted
    assert not [name for name in untrusted if name.split(".")[-1].startswith("_")]
    assert_same_predictions(sio.load(path, trusted=untrusted), model, X)


def test_streaming_continues_identically_after_pickling():
    X, y = make_data()
    model = streaming_model(X, y)
    restored = pickle.loads(pickle.dumps(model))
    X_next, y_next = np.array_split(X, 5)[3], np.array_split(y, 5)[3]
    for estimator in (model, restored):
        estimator.partial_fit(X_next, y_next, X_val=X, y_val=y)
    weights = zip(
        restored.coefs_ + restored.intercepts_, model.coefs_ + model.intercepts_
    )
    for ours, theirs in weights:
        assert_array_equal(ours, theirs, strict=True)
    assert restored.loss_curve_ == model.loss_curve_
    assert restored.validation_loss_curve_ == model.validation_loss_curve_


def test_unpickling_another_version_warns():
    X, y = make_data()
    model = BackpropClassifier((5,), max_iter=3, random_state=0).fit(X, y)
    state = model.__getstate__()
    assert "_skprop_version" in state
    state["_skprop_version"] = "0.0.1"
    restored = BackpropClassifier.__new__(BackpropClassifier)
    with pytest.warns(InconsistentSkpropVersionWarning, match="0.0.1"):
        restored.__setstate__(state)
    assert_same_predictions(restored, model, X)


def test_unpickling_the_same_version_is_silent():
    X, y = make_data()
    model = BackpropRegressor((5,), max_iter=3, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentSkpropVersionWarning)
        pickle.loads(pickle.dumps(model))
