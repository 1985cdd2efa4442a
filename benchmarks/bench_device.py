"""Training speed on other hardware: skprop through the Array API against
the NumPy engine and against the plain PyTorch loop of bench_training.py.

For each workload (mnistlike and wide of bench_training.py by default) it
times, in seconds per epoch:

- skprop on NumPy arrays (the NumPy engine);
- skprop on torch CPU tensors, with ``array_api_dispatch=True``;
- the plain PyTorch eager loop of bench_training.py on the CPU;
- when CUDA is available, skprop on CUDA tensors and the PyTorch loop on
  the GPU.

Every run does the same work as in bench_training.py (same data, ReLU,
Adam, L2 penalty, batch size, reshuffling, fixed epochs). With
``--network recipe`` skprop trains the tabular recipe's network instead
(`skprop.tabular`: periodic embeddings, feature scales, three hidden layers
of 256, dropout, AdamW with parameter groups, a cosine schedule, last-best
early stopping on a 20% hold-out), on NumPy and on each device; the PyTorch
loop has no such network, so its rows are left out. Each timing is the
median over ``--repeats`` runs after one warm-up epoch. Run from the
repository root::

    python benchmarks/bench_device.py                     # full workloads
    python benchmarks/bench_device.py --samples 2000 --epochs 1 --repeats 1
    python benchmarks/bench_device.py --network recipe --workload tabular_small
"""

import argparse
import dataclasses
import os
import statistics
import sys
import time
import warnings

# scikit-learn's Array API dispatch needs SciPy's, switched on before import.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import torch  # noqa: E402
from bench_training import (  # noqa: E402
    WORKLOADS,
    fit_recipe_network,
    fit_skprop,
    fit_torch,
)
from sklearn.exceptions import ConvergenceWarning  # noqa: E402


def _synchronize(device):
    """Wait for the device's queued work, so the clock sees all of it."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()


FITS = {"mlp": fit_skprop, "recipe": fit_recipe_network}
NETWORK = "mlp"


def _skprop_numpy(workload, X, y, epochs, device):
    return FITS[NETWORK](workload, X, y, epochs)


def _skprop_torch(workload, X, y, epochs, device):
    X_device = torch.from_numpy(X).to(device)
    y_device = torch.from_numpy(y).to(device)
    with sklearn.config_context(array_api_dispatch=True):
        return FITS[NETWORK](workload, X_device, y_device, epochs)


def _torch_loop(workload, X, y, epochs, device):
    return fit_torch(workload, X, y, epochs, device=device)


def seconds_per_epoch(fit, workload, X, y, device, repeats):
    """Median seconds per epoch of `fit` over `repeats`, after a warm-up."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit(workload, X, y, 1, device)
        times = []
        for _ in range(repeats):
            _synchronize(device)
            start = time.perf_counter()
            fit(workload, X, y, workload.epochs, device)
            _synchronize(device)
            times.append((time.perf_counter() - start) / workload.epochs)
    return statistics.median(times)


def run(workload, dtype, devices, repeats):
    """Rows ``(engine, device, seconds per epoch)`` of one workload."""
    X, y = workload.data(dtype)
    rows = [("skprop numpy", "cpu", _skprop_numpy)]
    for device in devices:
        rows.append(("skprop torch", device, _skprop_torch))
        if NETWORK == "mlp":
            rows.append(("torch loop", device, _torch_loop))
    return [
        (name, device, seconds_per_epoch(fit, workload, X, y, device, repeats))
        for name, device, fit in rows
    ]


def print_table(workload, dtype, rows):
    """One line per engine and device, with the ratios that matter."""
    seconds = {(name, device): s for name, device, s in rows}
    numpy_seconds = seconds[("skprop numpy", "cpu")]
    print(
        f"\n{workload.name}, {NETWORK} network ({workload.n_samples} x "
        f"{workload.n_features}, "
        f"hidden {workload.hidden}, batch {workload.batch_size}, "
        f"{workload.epochs} epochs, {dtype})"
    )
    header = ("engine", "device", "s/epoch", "/ numpy", "/ torch loop")
    print("{:<14} {:<8} {:>9} {:>8} {:>13}".format(*header))
    for name, device, s in rows:
        loop = seconds.get(("torch loop", device))
        vs_loop = f"{s / loop:.2f}" if loop else ""
        print(
            f"{name:<14} {device:<8} {s:>9.4f} {s / numpy_seconds:>8.2f} {vs_loop:>13}"
        )


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", nargs="+", default=["mnistlike", "wide"])
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--samples", type=int, default=None, help="fewer rows, for a quick run"
    )
    parser.add_argument("--epochs", type=int, default=None, help="fewer epochs")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--network", choices=sorted(FITS), default="mlp")
    return parser.parse_args(argv)


def main(argv=None):
    global NETWORK
    args = parse_args(argv)
    NETWORK = args.network
    if args.threads:
        torch.set_num_threads(args.threads)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(
        f"torch {torch.__version__}, numpy {np.__version__}, scikit-learn "
        f"{sklearn.__version__}; devices: {', '.join(devices)}"
        + (f" ({torch.cuda.get_device_name()})" if "cuda" in devices else "")
    )
    for name in args.workload:
        workload = WORKLOADS[name]
        changes = {}
        if args.samples:
            changes["n_samples"] = args.samples
        if args.epochs:
            changes["epochs"] = args.epochs
        workload = dataclasses.replace(workload, **changes)
        print_table(
            workload, args.dtype, run(workload, args.dtype, devices, args.repeats)
        )


if __name__ == "__main__":
    main()
