"""Where a skprop training epoch spends its time, phase by phase.

Trains skprop on one workload of ``bench_training.py`` with a timer around
each part of the engine (row gather, forward and backward passes, loss,
activations, optimizer step, and every matrix product), and prints seconds
per epoch for each, next to the matrix-multiply bound. The timers add about
a microsecond per call, so the phases of small networks read a little high.

Run from the repository root::

    python benchmarks/profile_epoch.py --workload mnistlike --dtype float32

``--network recipe`` trains the tabular recipe's network instead (periodic
embeddings, feature scales, three hidden layers of 256, dropout, AdamW,
last-best early stopping on a 20% hold-out) and adds its own phases: the
input layers, dropout masks and the hold-out's evaluation; its bound is
that of its dense layers, on the embedded width::

    python benchmarks/profile_epoch.py --workload tabular_small --network recipe
"""

import argparse
import dataclasses
import inspect
import time
import warnings
from collections import defaultdict

import numpy as np
from bench_training import WORKLOADS, MatmulBound, fit_recipe_network, fit_skprop
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from skprop import (
    _epoch,
    _network,
    _ops,
    _trainer,
    activations,
    layers,
    losses,
    optimizers,
)


class Timers:
    """Seconds accumulated per phase by wrapped functions."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self._restore = []

    def wrap(self, owner, name, phase):
        """Time every call of ``owner.name`` under `phase`."""
        static = isinstance(inspect.getattr_static(owner, name), staticmethod)
        stored = inspect.getattr_static(owner, name)
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - start

        setattr(owner, name, staticmethod(timed) if static else timed)
        self._restore.append((owner, name, stored))

    def restore(self):
        for owner, name, original in reversed(self._restore):
            setattr(owner, name, original)


def profile(workload, dtype, epochs, fit=fit_skprop):
    """Seconds per epoch of each phase of a skprop fit."""
    X, y = workload.data(dtype)
    # A short fit first, so that first-call costs fall outside the profile.
    fit(workload, X[:1000], y[:1000], 1)
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
    if fit is fit_recipe_network:
        timers.wrap(optimizers.AdamW, "update", "Adam step")
        timers.wrap(layers._Periodic, "forward", "periodic embedding forward")
        timers.wrap(layers._Periodic, "backward", "periodic embedding backward")
        timers.wrap(layers._Scale, "forward", "feature scale forward")
        timers.wrap(layers._Scale, "backward", "feature scale backward")
        timers.wrap(_ops.NumpyOps, "mask", "dropout masks")
        timers.wrap(_trainer, "full_objective", "hold-out evaluation")
    try:
        start = time.perf_counter()
        fit(workload, X, y, epochs)
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
    accounted += seconds.get("hold-out evaluation", 0.0)
    seconds["outside: parameter update, loop, validation"] = total / epochs - accounted
    return total / epochs, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", choices=list(WORKLOADS), default="mnistlike")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--network", choices=["mlp", "recipe"], default="mlp")
    args = parser.parse_args()
    workload, dtype = WORKLOADS[args.workload], np.dtype(args.dtype)
    recipe = args.network == "recipe"
    with threadpool_limits(args.threads), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = fit_recipe_network if recipe else fit_skprop
        epoch, seconds = profile(workload, dtype, args.epochs, fit)
        if recipe:
            # The dense layers see the features and 4 embedded values each,
            # and train on the 80% the hold-out leaves.
            n_embedded = workload.n_features * 5
            workload = dataclasses.replace(
                workload, hidden=(256, 256, 256), n_features=n_embedded
            )
        n_rows = int(workload.n_samples * (0.8 if recipe else 1.0))
        bound = MatmulBound(workload, n_rows, dtype)
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
        "periodic embedding forward",
        "periodic embedding backward",
        "feature scale forward",
        "feature scale backward",
        "dropout masks",
        "hold-out evaluation",
        "outside: parameter update, loop, validation",
    ]
    for phase in [phase for phase in shown if phase in seconds]:
        print(f"| {phase} | {seconds[phase]:.4f} | {seconds[phase] / epoch:.1%} |")


if __name__ == "__main__":
    main()
