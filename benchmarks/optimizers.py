"""Seconds per epoch of each optimizer on the same data and network.

Run: ``python benchmarks/optimizers.py``. L-BFGS is timed per iteration (one
full-batch objective and gradient, plus scipy's step).
"""

import time
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skprop import BackpropClassifier
from skprop.optimizers import _REGISTRY


def seconds_per_epoch(optimizer, X, y, epochs=5, repeats=3):
    """Median over `repeats` fits of the mean epoch time."""
    times = []
    for _ in range(repeats):
        model = BackpropClassifier(
            hidden_layer_sizes=(256, 128),
            optimizer=optimizer,
            batch_size=256,
            max_iter=epochs,
            tol=0.0,
            n_iter_no_change=epochs,
            random_state=0,
        )
        start = time.perf_counter()
        model.fit(X, y)
        times.append((time.perf_counter() - start) / model.n_iter_)
    return float(np.median(times)), model.loss_


def main():
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = make_classification(
        n_samples=20_000, n_features=100, n_informative=30, n_classes=10, random_state=0
    )
    X = X.astype(np.float32)
    print("20,000 x 100 float32, 10 classes, hidden (256, 128), batch 256")
    print(f"{'optimizer':<10} {'s/epoch':>9} {'loss':>8}")
    for name in _REGISTRY:
        seconds, loss = seconds_per_epoch(name, X, y)
        print(f"{name:<10} {seconds:>9.4f} {loss:>8.4f}")


if __name__ == "__main__":
    main()
