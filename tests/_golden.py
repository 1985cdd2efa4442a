"""Golden results of the training engine: configurations and their outputs.

`tests/test_golden.py` refits every configuration and compares it with
`tests/golden_engine.npz` bit for bit. The file was written once, before the
engine was restructured, by::

    python tests/_golden.py --write

Rewrite it only for a change that is meant to change results, and say so in
the commit.
"""

import itertools
import pathlib
import sys
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.datasets import make_classification, make_regression

from skprop import BackpropClassifier, BackpropRegressor
from skprop.optimizers import SGD

FIXTURE = pathlib.Path(__file__).with_name("golden_engine.npz")
OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop", "adagrad"]
ACTIVATIONS = ["relu", "leaky_relu", "elu"]
DTYPES = ["float32", "float64"]
SMALL = dict(hidden_layer_sizes=(8, 6), max_iter=6, batch_size=32, random_state=0)


def classification(dtype="float64", n_classes=3):
    X, y = make_classification(
        n_samples=150,
        n_features=6,
        n_informative=4,
        n_classes=n_classes,
        random_state=0,
    )
    return X.astype(dtype), y


def regression(dtype="float64", n_targets=1):
    X, y = make_regression(
        n_samples=150, n_features=6, n_targets=n_targets, noise=5.0, random_state=0
    )
    return X.astype(dtype), y / y.std()


def _dropout_configs():
    for optimizer, activation, dtype in itertools.product(
        OPTIMIZERS, ACTIVATIONS, DTYPES
    ):
        name = f"dropout-{optimizer}-{activation}-{dtype}"
        settings = dict(SMALL, optimizer=optimizer, activation=activation, dropout=0.2)
        yield name, ("classifier", settings, dtype, "fit")


def configurations():
    """Name -> (kind, settings, dtype, how it is trained)."""
    configs = dict(_dropout_configs())
    configs.update(
        {
            "plain-sgd": ("classifier", dict(SMALL, optimizer=SGD()), "float64", "fit"),
            "poisson": ("regressor", dict(SMALL, loss="poisson"), "float64", "fit"),
            "lbfgs-classifier": (
                "classifier",
                dict(SMALL, optimizer="lbfgs", max_iter=30),
                "float64",
                "fit",
            ),
            "lbfgs-regressor-float32": (
                "regressor",
                dict(SMALL, optimizer="lbfgs", max_iter=30),
                "float32",
                "fit",
            ),
            "early-stopping": (
                "classifier",
                dict(SMALL, early_stopping=True, max_iter=15, n_iter_no_change=2),
                "float64",
                "fit",
            ),
            "class-weight": (
                "classifier",
                dict(SMALL, class_weight="balanced"),
                "float64",
                "fit",
            ),
            "sample-weight": ("regressor", dict(SMALL), "float64", "weighted"),
            "binary": ("binary", dict(SMALL, clip_grad_norm=0.5), "float64", "fit"),
            "multi-output-huber": (
                "multi-output",
                dict(SMALL, loss="huber", optimizer="adamw"),
                "float32",
                "fit",
            ),
            "partial-fit-stream": (
                "classifier",
                dict(SMALL, optimizer=SGD(momentum=0.5)),
                "float64",
                "stream",
            ),
            "partial-fit-early-stopping": (
                "regressor",
                dict(SMALL, early_stopping=True, n_iter_no_change=1),
                "float32",
                "stream",
            ),
        }
    )
    return configs


def _data(kind, dtype):
    if kind == "classifier":
        return classification(dtype)
    if kind == "binary":
        return classification(dtype, n_classes=2)
    if kind == "multi-output":
        return regression(dtype, n_targets=2)
    return regression(dtype)


def train(kind, settings, dtype, how):
    """A model trained as the configuration says."""
    X, y = _data(kind, dtype)
    if kind == "regressor" and settings.get("loss") == "poisson":
        y = np.round(np.exp(y))
    Estimator = (
        BackpropRegressor
        if kind in ("regressor", "multi-output")
        else (BackpropClassifier)
    )
    model = Estimator(**settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if how == "fit":
            return model.fit(X, y)
        if how == "weighted":
            weight = np.linspace(0.2, 3.0, len(y))
            return model.fit(X, y, sample_weight=weight)
        extra = {"classes": np.unique(y)} if Estimator is BackpropClassifier else {}
        for start in range(0, 120, 30):
            chunk = slice(start, start + 30)
            model.partial_fit(X[chunk], y[chunk], X_val=X[120:], y_val=y[120:], **extra)
    return model


def results(model):
    """Name -> array of everything the fixture pins."""
    out = {"n_iter_": np.array(model.n_iter_)}
    out["loss_curve_"] = np.array(model.loss_curve_)
    scores = model.validation_scores_
    out["validation_scores_"] = np.array([] if scores is None else scores)
    for i, (coef, intercept) in enumerate(zip(model.coefs_, model.intercepts_)):
        out[f"coefs_{i}"] = coef
        out[f"intercepts_{i}"] = intercept
    return out


def versions():
    """The libraries whose arithmetic the fixture was computed with."""
    return f"numpy {np.__version__}, scipy {scipy.__version__}, " + (
        f"scikit-learn {sklearn.__version__}"
    )


def write():
    arrays = {"versions": np.array(versions())}
    for name, config in configurations().items():
        for key, value in results(train(*config)).items():
            arrays[f"{name}/{key}"] = value
    np.savez_compressed(FIXTURE, **arrays)
    print(f"wrote {len(configurations())} configurations to {FIXTURE}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    write()
