"""How far a fit on torch CPU tensors (through the Array API) lands from the
NumPy fit of the same estimator: the largest weight and probability
differences, per dtype, network and optimizer.

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

CASES = [
    # dtype, hidden layers, epochs, optimizer
    ("float64", (64, 32), 30, "adam"),
    ("float64", (32,), 20, "adam"),
    ("float32", (64, 32), 30, "adam"),
    ("float32", (32,), 20, "adam"),
    ("float32", (32,), 20, "rmsprop"),
    ("float32", (32,), 20, "sgd"),
]


def main():
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = make_classification(3000, 40, n_informative=20, n_classes=3, random_state=0)
    print("| dtype | hidden | epochs | optimizer | max weight diff | max proba diff |")
    print("|---|---|---|---|---|---|")
    for dtype, hidden, epochs, optimizer in CASES:
        X_dtype = X.astype(dtype)
        settings = dict(max_iter=epochs, optimizer=optimizer, random_state=0)
        reference = BackpropClassifier(hidden, **settings).fit(X_dtype, y)
        with sklearn.config_context(array_api_dispatch=True):
            X_torch = torch.asarray(X_dtype)
            model = BackpropClassifier(hidden, **settings).fit(
                X_torch, torch.asarray(y)
            )
            proba = model.predict_proba(X_torch).numpy()
        weights = max(
            np.abs(ours.numpy() - theirs).max()
            for ours, theirs in zip(model.coefs_, reference.coefs_)
        )
        difference = np.abs(proba - reference.predict_proba(X_dtype)).max()
        print(
            f"| {dtype} | {hidden} | {epochs} | {optimizer} | {weights:.2e} "
            f"| {difference:.2e} |"
        )


if __name__ == "__main__":
    main()
