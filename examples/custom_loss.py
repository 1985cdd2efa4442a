"""A user-defined loss and a user-defined optimizer, end to end.

`LogCosh` subclasses `skprop.losses.Loss` and `SignDescent` subclasses
`skprop.optimizers.Optimizer`, each with the few lines the base class asks
for. Both then work like the built-in parts: in `fit`, in `partial_fit` on
a stream of chunks, and inside `GridSearchCV`, which clones them.

Run ``python examples/custom_loss.py`` (``--n-samples`` and ``--max-iter``
make it smaller).
"""

import argparse

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_regression
from sklearn.model_selection import GridSearchCV, train_test_split

from skprop import BackpropRegressor
from skprop.losses import IdentityLink, Loss
from skprop.optimizers import Optimizer


class LogCosh(Loss):
    """Log of the hyperbolic cosine of the residual.

    Behaves like half the squared error near zero and like the
    absolute error far from it.

    Examples
    --------
    >>> from skprop import BackpropRegressor
    >>> model = BackpropRegressor(loss=LogCosh())
    """

    link = IdentityLink()

    def loss(self, y, raw):
        residual = raw - y
        return np.logaddexp(residual, -residual) - np.log(2.0)

    def gradient(self, y, raw):
        return np.tanh(raw - y)


class SignDescent(Optimizer):
    """Move each parameter by `lr` against the sign of its gradient."""

    def init(self, params):
        return {}

    def update(self, grad, state, params, lr):
        return -lr * np.sign(grad), state


def make_data(n_samples, seed=0):
    """Train and test splits of regression data; a tenth of the training
    targets carry gross errors, the test targets none."""
    X, y = make_regression(
        n_samples=n_samples, n_features=8, noise=5.0, random_state=seed
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y / y.std(), random_state=seed
    )
    rng = np.random.RandomState(seed)
    corrupted = rng.rand(len(y_train)) < 0.1
    y_train[corrupted] += rng.normal(0, 10, corrupted.sum())
    return X_train, X_test, y_train, y_test


# Defaults of main() and of the command line.
N_SAMPLES = 3000
MAX_ITER = 100


def main(n_samples=N_SAMPLES, max_iter=MAX_ITER):
    """Train with the custom parts three ways and print the test R²."""
    X_train, X_test, y_train, y_test = make_data(n_samples)
    model = BackpropRegressor(
        (32,),
        loss=LogCosh(),
        optimizer=SignDescent(),
        learning_rate=0.001,
        max_iter=max_iter,
        tol=1e-3,
        random_state=0,
    )
    model.fit(X_train, y_train)
    print(f"fit           R² {model.score(X_test, y_test):.3f}")

    stream = clone(model)
    for _ in range(max(max_iter // 10, 1)):
        chunks = zip(
            np.array_split(X_train, 10), np.array_split(y_train, 10), strict=True
        )
        for X_chunk, y_chunk in chunks:
            stream.partial_fit(X_chunk, y_chunk)
    print(f"partial_fit   R² {stream.score(X_test, y_test):.3f}")

    grid = {"optimizer": [SignDescent(), "adam"], "learning_rate": [0.001, 0.003]}
    # The folds hold corrupted targets, so score them robustly.
    search = GridSearchCV(model, grid, scoring="neg_median_absolute_error", cv=3)
    search.fit(X_train, y_train)
    print(
        f"GridSearchCV  R² {search.best_estimator_.score(X_test, y_test):.3f} "
        f"with {search.best_params_}"
    )
    return search


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=N_SAMPLES)
    parser.add_argument("--max-iter", type=int, default=MAX_ITER)
    args = parser.parse_args()
    main(n_samples=args.n_samples, max_iter=args.max_iter)
