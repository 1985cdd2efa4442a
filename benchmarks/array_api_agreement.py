"""How far a fit on torch CPU tensors (through the Array API) lands from the
NumPy fit of the same estimator: the largest difference of any fitted
array (dense weights, input layers' arrays, parametric activations' mixes)
and of the probabilities, per dtype, network and optimizer. The networks
include input layers, `Parametric` activations and the tabular recipe's
network (without dropout, whose masks are drawn per library). The last
column is the epoch whose weights each fit keeps: the recipe stops early on
a hold-out (last best), and in float32 the two libraries' rounding moves
the validation scores enough to keep another epoch.

Run: ``python benchmarks/array_api_agreement.py`` (needs torch).
"""

import os

# SciPy reads this once, at import: before scikit-learn imports it.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import warnings  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import torch  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from skprop import BackpropClassifier  # noqa: E402
from skprop.activations import Parametric  # noqa: E402
from skprop.tabular import _network  # noqa: E402

# The recipe's network, its dropout aside.
RECIPE = {**_network("relu", 20, 2e-3), "dropout": 0.0}
INPUT_LAYERS = dict(
    input_layers=["periodic", "scale"], parameter_groups={"scale": {"lr_factor": 6.0}}
)
CASES = [
    # dtype, hidden layers, epochs, optimizer, other settings
    ("float64", (64, 32), 30, "adam", {}),
    ("float64", (32,), 20, "adam", {}),
    ("float32", (64, 32), 30, "adam", {}),
    ("float32", (32,), 20, "adam", {}),
    ("float32", (32,), 20, "rmsprop", {}),
    ("float32", (32,), 20, "sgd", {}),
    ("float64", (32,), 20, "adamw", INPUT_LAYERS),
    ("float64", (32,), 20, "adam", dict(activation=Parametric("selu"))),
    ("float32", (32,), 20, "adam", dict(activation=Parametric("selu"))),
    ("float64", (256, 256, 256), 20, "recipe", RECIPE),
    ("float32", (256, 256, 256), 20, "recipe", RECIPE),
]


def fitted_arrays(model):
    """Every fitted array, NumPy."""
    arrays = [*model.coefs_, *model.intercepts_]
    arrays += [a for layer in model.input_params_ for a in layer]
    arrays += [a for a in model.activation_params_ if a is not None]
    return [a if isinstance(a, np.ndarray) else a.numpy() for a in arrays]


def name(hidden, optimizer, other):
    """The network of a case, in a few words."""
    if optimizer == "recipe":
        return "tabular recipe"
    words = [str(hidden)]
    if "input_layers" in other:
        words.append("periodic+scale")
    if "activation" in other:
        words.append("parametric selu")
    return " ".join(words)


def main():
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = make_classification(3000, 40, n_informative=20, n_classes=3, random_state=0)
    print(
        "| dtype | network | epochs | optimizer | max array diff | max proba diff "
        "| epoch kept (NumPy / torch) |"
    )
    print("|---|---|---|---|---|---|---|")
    for dtype, hidden, epochs, optimizer, other in CASES:
        X_dtype = X.astype(dtype)
        if optimizer == "recipe":
            settings = {**RECIPE, "max_iter": epochs, "random_state": 0}
            settings["learning_rate"].max_iter = epochs
        else:
            settings = dict(max_iter=epochs, optimizer=optimizer, random_state=0)
            settings.update(hidden_layer_sizes=hidden, **other)
        reference = BackpropClassifier(**settings).fit(X_dtype, y)
        with sklearn.config_context(array_api_dispatch=True):
            X_torch = torch.asarray(X_dtype)
            model = BackpropClassifier(**settings).fit(X_torch, torch.asarray(y))
            proba = model.predict_proba(X_torch).numpy()
        weights = max(
            np.abs(ours - theirs).max()
            for ours, theirs in zip(fitted_arrays(model), fitted_arrays(reference))
        )
        difference = np.abs(proba - reference.predict_proba(X_dtype)).max()
        print(
            f"| {dtype} | {name(hidden, optimizer, other)} | {epochs} | "
            f"{'adamw' if optimizer == 'recipe' else optimizer} | {weights:.2e} "
            f"| {difference:.2e} | {reference.best_epoch_} / {model.best_epoch_} |"
        )


if __name__ == "__main__":
    main()
