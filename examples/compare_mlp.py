"""skprop next to scikit-learn's MLPClassifier, at the same settings.

Each row trains both on the same standardized digits split, with the same
hidden layers, seed, epochs and optimizer settings (translated as in the
README's table), and prints their held-out accuracy and fit time.

Run ``python examples/compare_mlp.py`` (``--n-samples`` and ``--max-iter``
make it smaller).
"""

import argparse
import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skprop import BackpropClassifier
from skprop.optimizers import SGD

# Each row: a name, MLPClassifier's parameters, skprop's equivalent.
SETTINGS = [
    (
        "adam",
        {"solver": "adam", "learning_rate_init": 0.001},
        {"optimizer": "adam", "learning_rate": 0.001},
    ),
    (
        "sgd + nesterov",
        {
            "solver": "sgd",
            "momentum": 0.9,
            "nesterovs_momentum": True,
            "learning_rate_init": 0.01,
        },
        {"optimizer": SGD(momentum=0.9, nesterov=True), "learning_rate": 0.01},
    ),
    ("lbfgs", {"solver": "lbfgs"}, {"optimizer": "lbfgs"}),
]


HEADER = (
    "optimizer",
    "skprop acc",
    "MLP acc",
    "skprop fit",
    "MLP fit",
    "skprop epochs",
    "MLP epochs",
)
ROW = "{:16} {:>10} {:>8} {:>11} {:>9} {:>13} {:>10}"


def timed_fit(model, X_train, X_test, y_train, y_test):
    """Held-out accuracy, fit time in seconds and epochs run."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        # A short --max-iter stops both before convergence; that is expected.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return model.score(X_test, y_test), seconds, model.n_iter_


def main(n_samples=None, max_iter=200):
    """Print the comparison table; return its rows."""
    X, y = load_digits(return_X_y=True)
    X, y = X[:n_samples], y[:n_samples]
    X_train, X_test, y_train, y_test = train_test_split(
        StandardScaler().fit_transform(X), y, stratify=y, random_state=0
    )
    common = {"hidden_layer_sizes": (64,), "max_iter": max_iter, "random_state": 0}
    data = (X_train, X_test, y_train, y_test)
    print(ROW.format(*HEADER))
    rows = []
    for name, mlp_params, skprop_params in SETTINGS:
        ours = timed_fit(BackpropClassifier(**common, **skprop_params), *data)
        theirs = timed_fit(MLPClassifier(**common, **mlp_params), *data)
        cells = [
            f"{ours[0]:.4f}",
            f"{theirs[0]:.4f}",
            f"{ours[1]:.2f} s",
            f"{theirs[1]:.2f} s",
            ours[2],
            theirs[2],
        ]
        print(ROW.format(name, *cells))
        rows.append((name, ours, theirs))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=None)
    parser.add_argument("--max-iter", type=int, default=200)
    args = parser.parse_args()
    main(n_samples=args.n_samples, max_iter=args.max_iter)
