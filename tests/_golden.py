"""Golden results of the training engine: configurations and their outputs.

Bit-for-bit results belong to an arithmetic environment, not to the code
alone: the library versions, the BLAS kernel and its thread count, and the
SIMD targets NumPy dispatches its elementwise loops to. The fixture
`tests/golden_engine.npz` therefore stores the results once per environment
it was computed in, and `tests/test_golden.py` compares bit for bit where
the running environment is one of them, and within `RTOL` / `ATOL`
elsewhere. It is written by::

    python tests/_golden.py --write

which computes every configuration in each environment this machine can
imitate (OpenBLAS's Haswell and SkylakeX kernels, NumPy with and without
its AVX-512 loops, 1 and 2 BLAS threads), each in a fresh process.
``python tests/_golden.py --add`` adds the running environment as it is
(for a machine of another kind). Rewrite the fixture only for a change that
is meant to change results, and say so in the commit.
"""

import itertools
import os
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import scipy
import scipy.linalg  # noqa: F401  (loads SciPy's BLAS, so that it is reported)
import sklearn
from sklearn.datasets import make_classification, make_regression
from threadpoolctl import threadpool_info

from skprop import BackpropClassifier, BackpropRegressor
from skprop.optimizers import SGD

FIXTURE = pathlib.Path(__file__).with_name("golden_engine.npz")
# Where no stored environment matches, each array is compared within
# RTOL[dtype] * max(|stored|). Another BLAS kernel or SIMD loop rounds
# differently in the last bit and training carries that along: between the
# stored environments the largest difference is below 1e-12 (float64) and
# 1e-6 (float32) of an array's largest value; the tolerances leave a margin
# for kernels not seen here (test_stored_environments_agree_within_tolerance).
RTOL = {np.dtype("float64"): 1e-12, np.dtype("float32"): 1e-5}
# The environments --write imitates: OPENBLAS_CORETYPE, the NumPy SIMD
# targets switched off (AVX-512 off imitates an AVX2-only CPU), BLAS threads.
IMITATED = [
    (coretype, disabled, threads)
    for coretype, disabled in [
        ("Haswell", ""),
        ("Haswell", "X86_V4 AVX512_ICL AVX512_SPR"),
        ("SkylakeX", ""),
    ]
    for threads in ("1", "2")
]
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
            # Four iterations: from the fifth on, L-BFGS's line search in
            # float32 turns a last-bit difference of another BLAS kernel
            # into a 1e-3 one (0.36 after 30 iterations).
            "lbfgs-regressor-float32": (
                "regressor",
                dict(SMALL, optimizer="lbfgs", max_iter=4),
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


def _numpy_simd():
    try:
        umath = np._core._multiarray_umath
    except AttributeError:  # NumPy < 2
        umath = np.core._multiarray_umath
    features = umath.__cpu_features__
    return [target for target in umath.__cpu_dispatch__ if features.get(target)]


def environment():
    """Everything the bits of the results depend on, as one line.

    The library versions, each BLAS library's kernel and thread count (as
    threadpoolctl reports them), and the SIMD targets NumPy dispatches to.
    """
    blas = sorted(
        f"{info['internal_api']} {info['version']} "
        f"{info.get('architecture')} x{info['num_threads']}"
        for info in threadpool_info()
        if info["user_api"] == "blas"
    )
    return (
        f"{versions()}; blas: {', '.join(blas)}; "
        f"numpy simd: {' '.join(_numpy_simd()) or 'baseline'}"
    )


def all_results():
    """Configuration name -> its results, in the running environment."""
    return {name: results(train(*config)) for name, config in configurations().items()}


def load():
    """The fixture as [(environment, {name: {key: array}})]."""
    stored = np.load(FIXTURE)
    environments = [str(env) for env in stored["environments"]]
    sets = [{} for _ in range(int(stored["environment_set"].max()) + 1)]
    for key in stored.files:
        if key.startswith("set"):
            index, name, field = key.split("/", 2)
            sets[int(index[3:])].setdefault(name, {})[field] = stored[key]
    return [
        (env, sets[int(index)])
        for env, index in zip(environments, stored["environment_set"])
    ]


def differences(first, second):
    """[(name, key, difference)] of two result dictionaries, each difference
    relative to RTOL of the configuration's dtype times the array's largest
    value: 1 is the tolerance. Missing keys and mismatched shapes or dtypes
    count as inf."""
    found = []
    configs = configurations()
    for name in sorted(set(first) | set(second)):
        rtol = RTOL[np.dtype(configs[name][2])] if name in configs else 0.0
        a, b = first.get(name, {}), second.get(name, {})
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                found.append((name, key, np.inf))
                continue
            got, stored = a[key], b[key]
            if got.shape != stored.shape or got.dtype != stored.dtype:
                found.append((name, key, np.inf))
                continue
            if stored.size == 0:
                continue
            scale = rtol * max(float(np.max(np.abs(stored))), np.finfo(float).tiny)
            diff = np.max(np.abs(got.astype(float) - stored.astype(float)))
            found.append((name, key, float(diff) / scale))
    return found


def same_bits(first, second):
    """Whether two result dictionaries are equal bit for bit, dtypes included."""
    return sorted(first) == sorted(second) and all(
        sorted(first[name]) == sorted(second[name])
        and all(
            first[name][key].dtype == second[name][key].dtype
            and np.array_equal(first[name][key], second[name][key])
            for key in first[name]
        )
        for name in first
    )


def save(entries):
    """Write [(environment, results)] with identical results stored once."""
    unique, index = [], []
    for _, got in entries:
        for i, seen in enumerate(unique):
            if same_bits(seen, got):
                index.append(i)
                break
        else:
            index.append(len(unique))
            unique.append(got)
    arrays = {
        "environments": np.array([env for env, _ in entries]),
        "environment_set": np.array(index),
    }
    for i, got in enumerate(unique):
        for name, fields in got.items():
            for key, value in fields.items():
                arrays[f"set{i}/{name}/{key}"] = value
    np.savez_compressed(FIXTURE, **arrays)
    print(f"{FIXTURE.name}: {len(entries)} environments, {len(unique)} distinct")


def add():
    """Add (or replace) the running environment's results in the fixture."""
    entries = load() if FIXTURE.exists() else []
    env = environment()
    entries = [entry for entry in entries if entry[0] != env]
    save(entries + [(env, all_results())])
    print(f"added: {env}")


def write():
    """Rewrite the fixture from scratch in every imitated environment."""
    FIXTURE.unlink(missing_ok=True)
    for coretype, disabled, threads in IMITATED:
        env = dict(
            os.environ,
            OPENBLAS_CORETYPE=coretype,
            NPY_DISABLE_CPU_FEATURES=disabled,
            OPENBLAS_NUM_THREADS=threads,
        )
        subprocess.run([sys.executable, __file__, "--add"], env=env, check=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write()
    elif sys.argv[1:] == ["--add"]:
        add()
    else:
        sys.exit(__doc__)
