"""What members buy per second: ``n_members`` (TabM's ensembles in one
network) against width, on scikit-learn's bundled data sets.

For each data set, width (two hidden layers of it) and number of members
k, a network is fitted on 60% of the rows with early stopping on the
members' mean prediction over another 20% (``X_val``), and scored on the
last 20%: error (1 - accuracy, or RMSE / std of the test targets), and the
log-loss of classifiers. The row "bag k" is k plain networks of other seeds
fitted one after another and averaged (bagging over seeds, the other
lever), timed as the sum of their fits. Each cell is the mean over
`--seeds` splits and seeds; s/epoch is the fit time over the epochs run
(an epoch includes scoring the validation set), on one thread.

Run: ``nice -n 19 python benchmarks/ensemble_members.py`` (``--quick``:
one seed, widths 64, k up to 8).
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skprop import BackpropClassifier, BackpropRegressor

SETTINGS = dict(
    optimizer="adamw",
    learning_rate=2e-3,
    batch_size=128,
    max_iter=300,
    early_stopping=True,
    n_iter_no_change=16,
)


def datasets():
    """(name, X, y, is_classifier) of the data sets."""
    digits = load_digits(return_X_y=True)
    diabetes = load_diabetes(return_X_y=True)
    return [("digits", *digits, True), ("diabetes", *diabetes, False)]


def split(X, y, classifier, seed):
    """Standardised train, validation and test parts (60 / 20 / 20)."""
    stratify = y if classifier else None
    X_fit, X_test, y_fit, y_test = train_test_split(
        X, y, test_size=0.2, random_state=seed, stratify=stratify
    )
    stratify = y_fit if classifier else None
    X_train, X_val, y_train, y_val = train_test_split(
        X_fit, y_fit, test_size=0.25, random_state=seed, stratify=stratify
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_val, X_test = (scaler.transform(a) for a in (X_train, X_val, X_test))
    if not classifier:
        mean, std = y_train.mean(), y_train.std()
        y_train, y_val, y_test = ((a - mean) / std for a in (y_train, y_val, y_test))
    return X_train, y_train, X_val, y_val, X_test, y_test


def fit(classifier, width, n_members, seed, parts):
    """A fitted network, its fit time and epochs."""
    X_train, y_train, X_val, y_val, _, _ = parts
    estimator = BackpropClassifier if classifier else BackpropRegressor
    model = estimator(
        (width, width), n_members=n_members, random_state=seed, **SETTINGS
    )
    start = time.perf_counter()
    model.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    return model, time.perf_counter() - start, model.n_iter_


def scores(classifier, predictions, y_test):
    """(error, log-loss or None) of test predictions (probabilities or
    values)."""
    if classifier:
        labels = predictions.argmax(axis=1)
        return 1.0 - accuracy_score(y_test, labels), log_loss(y_test, predictions)
    rmse = np.sqrt(np.mean((predictions - y_test) ** 2))
    return rmse / np.std(y_test), None


def predictions(model, classifier, X):
    return model.predict_proba(X) if classifier else model.predict(X)


def cell(classifier, width, variant, seed, parts):
    """(s/epoch, epochs, fit seconds, error, log-loss) of one variant: an
    int k (members in one network) or ("bag", k)."""
    X_test, y_test = parts[4], parts[5]
    if isinstance(variant, int):
        model, seconds, epochs = fit(classifier, width, variant, seed, parts)
        predicted = predictions(model, classifier, X_test)
    else:
        fits = [
            fit(classifier, width, 1, 1000 * seed + i, parts) for i in range(variant[1])
        ]
        seconds = sum(f[1] for f in fits)
        epochs = sum(f[2] for f in fits)
        predicted = np.mean([predictions(f[0], classifier, X_test) for f in fits], 0)
    return (seconds / epochs, epochs, seconds, *scores(classifier, predicted, y_test))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    widths, members, seeds = [64, 256], [1, 4, 8, 16], range(args.seeds)
    if args.quick:
        widths, members, seeds = [64], [1, 4, 8], range(1)
    warnings.simplefilter("ignore", ConvergenceWarning)
    variants = [*members, ("bag", 4)]
    print(
        f"{'data':<9} {'width':>5} {'k':>7} {'s/epoch':>8} {'x k=1':>6} "
        f"{'epochs':>6} {'fit s':>7} {'error':>7} {'logloss':>8}"
    )
    with threadpool_limits(limits=1):
        for name, X, y, classifier in datasets():
            splits = [split(X, y, classifier, seed) for seed in seeds]
            for width in widths:
                base = None
                for variant in variants:
                    rows = [
                        cell(classifier, width, variant, seed, parts)
                        for seed, parts in zip(seeds, splits)
                    ]
                    mean = [
                        None if v[0] is None else float(np.mean(v)) for v in zip(*rows)
                    ]
                    base = mean[0] if variant == 1 else base
                    label = variant if isinstance(variant, int) else f"bag {variant[1]}"
                    logloss = "" if mean[4] is None else f"{mean[4]:.4f}"
                    print(
                        f"{name:<9} {width:>5} {label:>7} {mean[0]:>8.4f} "
                        f"{mean[0] / base:>6.2f} {mean[1]:>6.0f} {mean[2]:>7.2f} "
                        f"{mean[3]:>7.4f} {logloss:>8}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
