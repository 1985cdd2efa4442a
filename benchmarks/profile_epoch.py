"""Where a skprop training epoch spends its time, phase by phase.

Trains skprop on one workload of ``bench_training.py`` with a timer around
each part of the engine (row gather, forward and backward passes, loss,
activations, optimizer step, and every matrix product), and prints seconds
per epoch for each, next to the matrix-multiply bound. The timers add about
a microsecond per call, so the phases of small networks read a little high.

Run from the repository root::

    python benchmarks/profile_epoch.py --workload mnistlike --dtype float32
"""

import argparse
import time
import warnings
from collections import defaultdict

import numpy as np
from bench_training import WORKLOADS, MatmulBound, fit_skprop
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from skprop import _epoch, _network, activations, losses, optimizers


class Timers:
    """Seconds accumulated per phase by wrapped functions."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self._restore = []

    def wrap(self, owner, name, phase):
        """Time every call of ``owner.name`` under `phase`."""
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - start

        setattr(owner, name, timed)
        self._restore.append((owner, name, original))

    def restore(self):
        for owner, name, original in reversed(self._restore):
            setattr(owner, name, original)


def profile(workload, dtype, epochs):
    """Seconds per epoch of each phase of a skprop fit."""
    X, y = workload.data(dtype)
    # A short fit first, so that first-call costs fall outside the profile.
    fit_skprop(workload, X[:1000], y[:1000], 1)
    timers = Timers()
    # The engine reaches matrix products through `np.matmul` (directly and
    # through `_numeric.dot`): wrapping NumPy's attribute catches both.
    timers.wrap(np, "matmul", "matrix products")
    timers.wrap(_epoch.Batches, "_gathered", "row gather")
    timers.wrap(_epoch, "objective", "objective")
    timers.wrap(_network.Network, "forward", "forward pass")
    timers.wrap(_network.Network, "backward", "backward pass")
    timers.wrap(losses.Loss, "weighted", "loss and its gradient")
    timers.wrap(activations.ReLU, "forward", "ReLU forward")
    timers.wrap(activations.ReLU, "backward", "ReLU backward")
    timers.wrap(optimizers.Adam, "update", "Adam step")
    try:
        start = time.perf_counter()
        fit_skprop(workload, X, y, epochs)
        total = time.perf_counter() - start
    finally:
        timers.restore()
    seconds = {phase: value / epochs for phase, value in timers.seconds.items()}
    objective = seconds.pop("objective")
    passes = seconds["forward pass"] + seconds["backward pass"]
    seconds["L2 penalty, objective's own work"] = (
        objective - passes - seconds["loss and its gradient"]
    )
    seconds["elementwise work inside the passes"] = (
        passes - seconds["matrix products"] - seconds["ReLU forward"]
    ) - seconds["ReLU backward"]
    accounted = objective + seconds["Adam step"] + seconds["row gather"]
    seconds["outside: parameter update, loop, validation"] = total / epochs - accounted
    return total / epochs, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", choices=list(WORKLOADS), default="mnistlike")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    workload, dtype = WORKLOADS[args.workload], np.dtype(args.dtype)
    with threadpool_limits(args.threads), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        epoch, seconds = profile(workload, dtype, args.epochs)
        bound = MatmulBound(workload, workload.n_samples, dtype)
        bound_seconds = float(np.median([bound.seconds() for _ in range(3)]))
    print(f"{workload.name}, {dtype}: {args.epochs} epochs, {args.threads} threads")
    print(f"epoch: {epoch:.4f} s; matrix-multiply bound: {bound_seconds:.4f} s")
    print()
    print("| phase | s / epoch | share of the epoch |")
    print("|---|---|---|")
    shown = [
        "matrix products",
        "elementwise work inside the passes",
        "ReLU forward",
        "ReLU backward",
        "loss and its gradient",
        "L2 penalty, objective's own work",
        "Adam step",
        "row gather",
        "outside: parameter update, loop, validation",
    ]
    for phase in shown:
        print(f"| {phase} | {seconds[phase]:.4f} | {seconds[phase] / epoch:.1%} |")


if __name__ == "__main__":
    main()
