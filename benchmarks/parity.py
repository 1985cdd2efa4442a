"""Held-out score and fit time of skprop and scikit-learn's MLP on the data
sets that ship with scikit-learn, at the same settings and seed.

Run: ``python benchmarks/parity.py``.
"""

import time
import warnings

from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skprop import BackpropClassifier, BackpropRegressor

DATASETS = {
    "digits": load_digits,
    "breast_cancer": load_breast_cancer,
    "wine": load_wine,
    "diabetes": load_diabetes,
}


def fitted_score(model, X_train, y_train, X_test, y_test):
    """Held-out score and fit seconds."""
    start = time.perf_counter()
    model.fit(X_train, y_train)
    return model.score(X_test, y_test), time.perf_counter() - start


def run(name, solver):
    X, y = DATASETS[name](return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    if name == "diabetes":
        mean, std = y_train.mean(), y_train.std()
        y_train, y_test = (y_train - mean) / std, (y_test - mean) / std
        settings = dict(hidden_layer_sizes=(20,), alpha=3.0, random_state=0)
        ours, theirs = BackpropRegressor, MLPRegressor
    else:
        settings = dict(hidden_layer_sizes=(50,), random_state=0)
        ours, theirs = BackpropClassifier, MLPClassifier
    data = (X_train, y_train, X_test, y_test)
    skprop = fitted_score(
        make_pipeline(StandardScaler(), ours(optimizer=solver, **settings)), *data
    )
    mlp = fitted_score(
        make_pipeline(StandardScaler(), theirs(solver=solver, **settings)), *data
    )
    return skprop, mlp


def main():
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(
        f"{'data set':<14} {'solver':<6} {'skprop':>8} {'MLP':>8} {'diff':>8} "
        f"{'skprop s':>9} {'MLP s':>7} {'speed-up':>9}"
    )
    for name in DATASETS:
        for solver in ("adam", "sgd", "lbfgs"):
            (ours, our_time), (theirs, their_time) = run(name, solver)
            print(
                f"{name:<14} {solver:<6} {ours:>8.4f} {theirs:>8.4f} "
                f"{ours - theirs:>+8.4f} {our_time:>9.3f} {their_time:>7.3f} "
                f"{their_time / our_time:>8.2f}x"
            )


if __name__ == "__main__":
    main()
