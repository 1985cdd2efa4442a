"""Training speed of skprop against scikit-learn's MLP and a PyTorch loop.

Every implementation does the same work: the same data, architecture (ReLU),
Adam (lr 1e-3, betas 0.9 / 0.999, eps 1e-8), L2 penalty (alpha 1e-4, as in
MLP's objective), batch size, reshuffling each epoch, and a fixed number of
epochs (nothing stops early). Implementations alternate within each repeat,
and the medians over repeats are printed, together with the time NumPy needs
for the matrix products alone (the matrix-multiply bound), peak memory, the
final training loss and the training score.

Run from the repository root::

    python benchmarks/bench_training.py --workload mnistlike --dtype float32

``--against DIR`` compares skprop with another checkout of it instead (a
paired before / after run of a change): each repeat trains every workload
and dtype once with each tree, in turn, in fresh processes that import
skprop from their own tree, and the table gives the medians and the median
of the per-repeat ratios. Run it from a checkout that nothing edits during
the run::

    git worktree add /tmp/before <commit>
    git worktree add /tmp/after <commit>
    python /tmp/after/benchmarks/bench_training.py --against /tmp/before \
        --dtype float32 float64

PyTorch is optional: without it the PyTorch column is left out.
"""

import os
import sys

# These pin OpenBLAS to a kernel or cache size other than the one it would
# pick for this CPU; the benchmark measures what a user gets by default.
_BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

if __name__ == "__main__" and any(name in os.environ for name in _BLAS_OVERRIDES):
    _env = {k: v for k, v in os.environ.items() if k not in _BLAS_OVERRIDES}
    _env["BENCH_UNSET"] = " ".join(n for n in _BLAS_OVERRIDES if n in os.environ)
    os.execve(sys.executable, [sys.executable, *sys.argv], _env)

import argparse
import gc
import itertools
import json
import platform
import statistics
import subprocess
import tempfile
import time
import tracemalloc
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from threadpoolctl import threadpool_info, threadpool_limits

import skprop
from skprop import BackpropClassifier, BackpropRegressor
from skprop.optimizers import Adam

try:
    import torch
except ImportError:
    torch = None

ALPHA = 1e-4
LEARNING_RATE = 1e-3
BETAS = (0.9, 0.999)
EPSILON = 1e-8
SEED = 0
N_PREDICT = 100_000


@dataclass(frozen=True)
class Workload:
    """One training problem: data, network and schedule."""

    name: str
    task: str  # "classification" or "regression"
    n_samples: int
    n_features: int
    n_classes: int
    hidden: tuple
    batch_size: int
    epochs: int

    def data(self, dtype):
        """Training data, the same for every implementation."""
        if self.task == "regression":
            X, y = make_regression(
                self.n_samples,
                self.n_features,
                n_informative=self.n_features // 2,
                noise=10.0,
                random_state=SEED,
            )
            y = (y - y.mean()) / y.std()
            return X.astype(dtype), y.astype(dtype)
        X, y = make_classification(
            self.n_samples,
            self.n_features,
            n_informative=min(self.n_features // 2, 50),
            n_classes=self.n_classes,
            random_state=SEED,
        )
        return X.astype(dtype), y

    def layer_units(self):
        """Units per layer, input and output included (as MLP builds them)."""
        n_outputs = 1 if self.n_classes <= 2 else self.n_classes
        return [self.n_features, *self.hidden, n_outputs]


WORKLOADS = {
    w.name: w
    for w in [
        Workload("tabular_small", "classification", 5_000, 20, 2, (100,), 200, 50),
        Workload("regression", "regression", 100_000, 50, 0, (128, 128), 256, 5),
        Workload("mnistlike", "classification", 60_000, 784, 10, (256, 128), 256, 5),
        Workload("wide", "classification", 20_000, 1_024, 10, (1024, 1024), 512, 3),
    ]
}


# ---------------------------------------------------------------------------
# The implementations. Each trains from scratch and returns the fitted model
# (or None) and MLP's ``loss_``: the batch objectives of the last epoch,
# averaged over samples.
# ---------------------------------------------------------------------------


def _estimator_settings(workload, epochs):
    """Settings shared by skprop and MLP: no early stop, no tolerance."""
    return {
        "hidden_layer_sizes": workload.hidden,
        "activation": "relu",
        "alpha": ALPHA,
        "batch_size": workload.batch_size,
        "max_iter": epochs,
        "shuffle": True,
        "random_state": SEED,
        "tol": 0.0,
        "n_iter_no_change": epochs,
        "early_stopping": False,
    }


def fit_skprop(workload, X, y, epochs):
    """Train a skprop estimator."""
    cls = BackpropRegressor if workload.task == "regression" else BackpropClassifier
    model = cls(
        optimizer=Adam(beta_1=BETAS[0], beta_2=BETAS[1], epsilon=EPSILON),
        learning_rate=LEARNING_RATE,
        **_estimator_settings(workload, epochs),
    )
    model.fit(X, y)
    return model, model.loss_


def fit_recipe_network(workload, X, y, epochs):
    """The tabular recipe's network (`skprop.tabular`'s settings, without
    its preprocessing), at the workload's batch size."""
    from skprop.tabular import _network

    regression = workload.task == "regression"
    settings = _network(
        "gelu" if regression else "relu", epochs, 4e-3 if regression else 2e-3
    )
    model = (BackpropRegressor if regression else BackpropClassifier)(
        batch_size=workload.batch_size, random_state=SEED, **settings
    )
    return model.fit(X, y)


def fit_sklearn(workload, X, y, epochs):
    """Train scikit-learn's MLP."""
    cls = MLPRegressor if workload.task == "regression" else MLPClassifier
    model = cls(
        solver="adam",
        learning_rate_init=LEARNING_RATE,
        beta_1=BETAS[0],
        beta_2=BETAS[1],
        epsilon=EPSILON,
        **_estimator_settings(workload, epochs),
    )
    model.fit(X, y)
    return model, model.loss_


def _torch_network(workload, dtype):
    """A ReLU network with MLP's Glorot-uniform initial weights."""
    rng = np.random.RandomState(SEED)
    units = workload.layer_units()
    layers = []
    for fan_in, fan_out in itertools.pairwise(units):
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        linear = torch.nn.Linear(fan_in, fan_out, dtype=dtype)
        with torch.no_grad():
            coef = rng.uniform(-bound, bound, (fan_in, fan_out))
            linear.weight.copy_(torch.from_numpy(coef.T.copy()))
            linear.bias.copy_(torch.from_numpy(rng.uniform(-bound, bound, fan_out)))
        layers += [linear, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def _torch_targets(workload, y, dtype):
    """Targets and the mean data loss matching MLP's loss for the task."""
    if workload.task == "regression":
        target = torch.from_numpy(y).reshape(-1, 1)

        def data_loss(raw, target):
            return 0.5 * torch.nn.functional.mse_loss(raw, target)

        return target, data_loss
    if workload.n_classes <= 2:
        target = torch.from_numpy(y).to(dtype).reshape(-1, 1)
        return target, torch.nn.functional.binary_cross_entropy_with_logits
    return torch.from_numpy(y).long(), torch.nn.functional.cross_entropy


def fit_torch(workload, X, y, epochs, device="cpu"):
    """Train with a plain PyTorch eager loop: same objective as MLP's, on
    `device` (bench_device.py trains on a GPU with it)."""
    dtype = torch.float32 if X.dtype == np.float32 else torch.float64
    torch.manual_seed(SEED)
    X_all = torch.from_numpy(X).to(device)
    y_all, data_loss = _torch_targets(workload, y, dtype)
    y_all = y_all.to(device)
    model = _torch_network(workload, dtype).to(device)
    weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
    optimizer = torch.optim.Adam(
        model.parameters(), lr=LEARNING_RATE, betas=BETAS, eps=EPSILON
    )
    generator = torch.Generator().manual_seed(SEED)
    n_samples = X.shape[0]
    for _ in range(epochs):
        order = torch.randperm(n_samples, generator=generator).to(device)
        accumulated = 0.0
        for start in range(0, n_samples, workload.batch_size):
            rows = order[start : start + workload.batch_size]
            raw = model(X_all.index_select(0, rows))
            penalty = sum((w * w).sum() for w in weights)
            value = data_loss(raw, y_all.index_select(0, rows))
            value = value + (0.5 * ALPHA / len(rows)) * penalty
            optimizer.zero_grad(set_to_none=True)
            value.backward()
            optimizer.step()
            accumulated += value.item() * len(rows)
    return model, accumulated / n_samples


IMPLEMENTATIONS = {"skprop": fit_skprop, "sklearn": fit_sklearn, "torch": fit_torch}


def training_score(workload, model, X, y):
    """Accuracy or R^2 on the training data."""
    if torch is not None and isinstance(model, torch.nn.Module):
        with torch.no_grad():
            raw = model(torch.from_numpy(X)).numpy()
        if workload.task == "regression":
            residual = ((raw[:, 0] - y) ** 2).sum()
            return 1.0 - residual / ((y - y.mean()) ** 2).sum()
        predicted = raw.argmax(axis=1) if raw.shape[1] > 1 else raw[:, 0] > 0
        return float(np.mean(predicted == y))
    return model.score(X, y)


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------


def timed_fit(name, workload, X, y):
    """Seconds per epoch, final loss and the model of one training run."""
    gc.collect()
    start = time.perf_counter()
    model, loss = IMPLEMENTATIONS[name](workload, X, y, workload.epochs)
    seconds = time.perf_counter() - start
    return seconds / workload.epochs, loss, model


def traced_peak(name, workload, X, y):
    """Peak bytes NumPy and Python allocate during a one-epoch fit
    (tracemalloc; PyTorch's allocations are invisible to it)."""
    gc.collect()
    tracemalloc.start()
    IMPLEMENTATIONS[name](workload, X, y, 1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _status_kib(field):
    """A ``/proc/self/status`` field, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def rss_peak_child(name, workload_name, data_file):
    """In a fresh process: resident-set growth during a one-epoch fit."""
    workload = WORKLOADS[workload_name]
    with np.load(data_file) as data:
        X, y = data["X"], data["y"]
    gc.collect()
    # Writing 5 resets the high-water mark to the current resident size.
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kib("VmRSS")
    IMPLEMENTATIONS[name](workload, X, y, 1)
    print(json.dumps({"rss_peak_kib": _status_kib("VmHWM") - before}))


def rss_peak(name, workload, data_file, threads):
    """Peak resident-set growth of a one-epoch fit, measured in a child
    process so that no earlier run's freed memory is reused; None where the
    peak cannot be reset (not Linux)."""
    if not Path("/proc/self/clear_refs").exists():
        return None
    command = [sys.executable, __file__, "--threads", str(threads)]
    command += ["--rss-child", name, workload.name, data_file]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])["rss_peak_kib"] * 1024


class MatmulBound:
    """The matrix products of one epoch, at the shapes training uses:
    ``a @ W`` per layer, ``a.T @ delta`` per layer and ``delta @ W.T`` per
    hidden layer, for every minibatch; nothing else.

    Operands are fixed random arrays and results go to separate buffers, so
    values never grow from batch to batch.
    """

    def __init__(self, workload, n_samples, dtype):
        rng = np.random.default_rng(SEED)
        units = workload.layer_units()
        n_full, remainder = divmod(n_samples, workload.batch_size)
        self.batches = [(workload.batch_size, n_full)]
        if remainder:
            self.batches.append((remainder, 1))
        self.weights = [
            rng.random((i, o), dtype=dtype) for i, o in itertools.pairwise(units)
        ]
        self.grads = [np.empty_like(w) for w in self.weights]
        self.operands = {}
        for n_rows, _ in self.batches:
            inputs = [rng.random((n_rows, u), dtype=dtype) for u in units[:-1]]
            deltas = [rng.random((n_rows, u), dtype=dtype) for u in units[1:]]
            results = [np.empty_like(d) for d in deltas]
            back = [np.empty_like(a) for a in inputs]
            self.operands[n_rows] = (inputs, deltas, results, back)

    def seconds(self):
        """Seconds the products of one epoch take."""
        start = time.perf_counter()
        for n_rows, count in self.batches:
            inputs, deltas, results, back = self.operands[n_rows]
            for _ in range(count):
                for a, w, z in zip(inputs, self.weights, results):
                    np.matmul(a, w, out=z)
                for i in range(len(self.weights) - 1, -1, -1):
                    np.matmul(inputs[i].T, deltas[i], out=self.grads[i])
                    if i > 0:
                        np.matmul(deltas[i], self.weights[i].T, out=back[i])
        return time.perf_counter() - start


def predict_seconds(model, X, repeats):
    """Median seconds of ``model.predict(X)``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict(X)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ---------------------------------------------------------------------------
# One workload, all implementations
# ---------------------------------------------------------------------------


def run_workload(workload, dtype, names, repeats, threads, data_dir):
    """Measure every implementation on one workload; print its table."""
    X, y = workload.data(dtype)
    data_file = str(Path(data_dir) / f"{workload.name}_{dtype}.npz")
    np.savez(data_file, X=X, y=y)
    runs = {name: [] for name in names}
    models = {}
    bound = MatmulBound(workload, X.shape[0], dtype)
    bound_runs = []
    for repeat in range(repeats):
        # Rotating the order spreads any drift (heat, other load) evenly.
        order = names[repeat % len(names) :] + names[: repeat % len(names)]
        for name in order:
            seconds, loss, models[name] = timed_fit(name, workload, X, y)
            runs[name].append((seconds, loss))
        bound_runs.append(bound.seconds())
    rows = {}
    for name in names:
        rows[name] = {
            "seconds": statistics.median(s for s, _ in runs[name]),
            "loss": runs[name][-1][1],
            "score": training_score(workload, models[name], X, y),
            "traced": traced_peak(name, workload, X, y) if name != "torch" else None,
            "rss": rss_peak(name, workload, data_file, threads),
        }
    bound = statistics.median(bound_runs)
    X_predict = X[np.random.default_rng(SEED).integers(0, X.shape[0], N_PREDICT)]
    predict = {
        name: predict_seconds(models[name], X_predict, repeats)
        for name in ("skprop", "sklearn")
    }
    print_workload(workload, dtype, rows, bound, predict)
    return summary(workload, dtype, rows, bound, predict)


def summary(workload, dtype, rows, bound, predict):
    """One line of the closing table: skprop against the others."""
    seconds = {name: row["seconds"] for name, row in rows.items()}
    skprop_row, sklearn_row = rows["skprop"], rows["sklearn"]
    return {
        "workload": workload.name,
        "dtype": dtype,
        "sklearn / skprop": seconds["sklearn"] / seconds["skprop"],
        "torch / skprop": seconds.get("torch", np.nan) / seconds["skprop"],
        "skprop / bound": seconds["skprop"] / bound,
        "traced peak skprop / sklearn": skprop_row["traced"] / sklearn_row["traced"],
        "predict sklearn / skprop": predict["sklearn"] / predict["skprop"],
        "loss skprop / sklearn": skprop_row["loss"] / sklearn_row["loss"],
    }


def print_summary(lines):
    """The closing table, one line per workload and dtype."""
    columns = list(lines[0])
    print("\n### Summary (ratios of medians)\n")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for line in lines:
        cells = [f"{v:.2f}" if isinstance(v, float) else v for v in line.values()]
        print("| " + " | ".join(cells) + " |")


def _mib(n_bytes):
    return "n/a" if n_bytes is None else f"{n_bytes / 2**20:.1f}"


def print_workload(workload, dtype, rows, bound, predict):
    """The table of one workload and its summary ratios."""
    reference = rows["skprop"]["seconds"]
    print(f"\n### {workload.name}, {dtype}")
    print(
        f"{workload.n_samples} x {workload.n_features}, hidden {workload.hidden}, "
        f"batch {workload.batch_size}, {workload.epochs} epochs\n"
    )
    print(
        "| implementation | s / epoch | time / skprop's | traced peak MiB "
        "| RSS peak MiB | final loss | train score |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, row in rows.items():
        print(
            f"| {name} | {row['seconds']:.4f} | {row['seconds'] / reference:.2f} "
            f"| {_mib(row['traced'])} | {_mib(row['rss'])} "
            f"| {row['loss']:.6f} | {row['score']:.4f} |"
        )
    print(
        f"\nmatrix-multiply bound: {bound:.4f} s / epoch; skprop takes "
        f"{100 * reference / bound:.0f} % of it"
    )
    print(
        f"predict on {N_PREDICT} rows: skprop {predict['skprop']:.4f} s, "
        f"sklearn {predict['sklearn']:.4f} s "
        f"(sklearn / skprop {predict['sklearn'] / predict['skprop']:.2f})"
    )


def print_environment(threads):
    """Versions, CPU and the BLAS kernel this process runs."""
    cpu = platform.processor() or "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    print(f"CPU: {cpu}, {os.cpu_count()} logical CPUs; {threads} threads used")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, skprop {skprop.__version__}, "
        f"torch {torch.__version__ if torch is not None else 'not installed'}"
    )
    for pool in threadpool_info():
        print(
            f"{pool['user_api']}: {pool['internal_api']} {pool['version']}, "
            f"architecture {pool.get('architecture')}, "
            f"{pool['num_threads']} threads ({Path(pool['filepath']).name})"
        )
    if torch is None:
        print("PyTorch is not installed: its rows are left out.")
    else:
        print(f"torch: {torch.get_num_threads()} intra-op threads")
    if os.environ.get("BENCH_UNSET"):
        print(f"unset for this run: {os.environ['BENCH_UNSET']}")
    print(
        "s / epoch: median over repeats of fit time / epochs. Memory, from a "
        "separate one-epoch fit: traced peak = tracemalloc peak (NumPy and "
        "Python allocations; PyTorch's are invisible to it); RSS peak = growth "
        "of the resident set (VmHWM after minus VmRSS before) in a fresh "
        "process, the same method for every implementation."
    )


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workload", nargs="+", choices=list(WORKLOADS), default=list(WORKLOADS)
    )
    parser.add_argument(
        "--dtype", nargs="+", choices=["float32", "float64"], default=["float32"]
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rss-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument(
        "--against",
        metavar="DIR",
        help="another checkout of skprop: time skprop here against it, paired",
    )
    parser.add_argument("--fit-child", nargs=2, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def fit_child(workload_name, dtype):
    """In a fresh process: seconds per epoch of one skprop fit, and the
    final loss (to check both trees did the same work)."""
    workload = WORKLOADS[workload_name]
    X, y = workload.data(dtype)
    seconds, loss, _ = timed_fit("skprop", workload, X, y)
    module = sys.modules[BackpropClassifier.__module__].__file__
    print(json.dumps({"seconds": seconds, "loss": float(loss), "module": module}))


def child_fit(tree, workload, dtype, threads):
    """`fit_child` run with skprop imported from `tree`."""
    command = [sys.executable, __file__, "--threads", str(threads)]
    command += ["--fit-child", workload.name, dtype]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tree)
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed in {tree}:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def paired(args):
    """skprop of this tree against skprop of `args.against`, alternating."""
    here, there = Path(__file__).resolve().parents[1], Path(args.against).resolve()
    print(f"A: {here}\nB: {there}")
    header = "workload        dtype    A s/epoch  B s/epoch  A/B (median of pairs)"
    print(header + "  loss A - B")
    for dtype in args.dtype:
        for name in args.workload:
            workload, runs = WORKLOADS[name], {"A": [], "B": []}
            for _ in range(args.repeats):
                for label, tree in (("A", here), ("B", there)):
                    runs[label].append(child_fit(tree, workload, dtype, args.threads))
            a = [r["seconds"] for r in runs["A"]]
            b = [r["seconds"] for r in runs["B"]]
            ratio = statistics.median(x / y for x, y in zip(a, b))
            loss_gap = runs["A"][0]["loss"] - runs["B"][0]["loss"]
            for label, tree in (("A", here), ("B", there)):
                if not runs[label][0]["module"].startswith(str(tree)):
                    raise RuntimeError(f"{label} imported {runs[label][0]['module']}")
            print(
                f"{name:15} {dtype:8} {statistics.median(a):9.4f}  "
                f"{statistics.median(b):9.4f}  {ratio:21.3f}  {loss_gap:10.3g}"
            )


def main(argv=None):
    args = parse_args(argv)
    names = ["skprop", "sklearn"] + (["torch"] if torch is not None else [])
    with threadpool_limits(args.threads), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if torch is not None:
            torch.set_num_threads(args.threads)
        if args.rss_child:
            rss_peak_child(*args.rss_child)
            return
        if args.fit_child:
            fit_child(*args.fit_child)
            return
        print_environment(args.threads)
        if args.against:
            paired(args)
            return
        lines = []
        with tempfile.TemporaryDirectory() as data_dir:
            for dtype in args.dtype:
                for name in args.workload:
                    workload = WORKLOADS[name]
                    lines.append(
                        run_workload(
                            workload, dtype, names, args.repeats, args.threads, data_dir
                        )
                    )
        print_summary(lines)


if __name__ == "__main__":
    main()
