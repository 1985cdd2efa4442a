"""The trainer: epochs and their stopping rules, or an optimizer that
minimises the full-batch objective itself (L-BFGS), over a network.

It knows no estimator. It gets the network, the loss, the optimizer and its
schedule, arrays and settings; it reports each epoch through a reporter it
is given (the estimator turns records into fitted attributes and callbacks)
and returns the training state for the estimator to store.
"""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skprop._epoch import (
    Batches,
    check_finite_outputs,
    divergence_error,
    full_objective,
    objective,
    run_epoch,
)
from skprop._ops import NUMPY
from skprop._stopping import stopping_rule

# A training loss this many times the loss the network started from has
# exploded: an untrained network's outputs are of order one, so its loss is
# the data's own scale (log K for K classes, half the targets' mean square),
# and no healthy fit measured here came within a factor 1e4 of it (the
# closing note of issue 20 gives the figures); runs that blow up reach 1e6
# within a few epochs and go on to 1e50 and beyond while staying finite.
EXPLOSION = 1e6


@dataclass
class Settings:
    """What the estimator's parameters say about training."""

    max_epochs: int
    alpha: float
    # None: the optimizer minimises the full-batch objective itself.
    batch_size: int
    shuffle: bool
    tol: float
    n_iter_no_change: float
    early_stopping: bool
    clip_grad_norm: float = None
    streaming: bool = False
    max_fun: int = 15000
    last_best: bool = False


@dataclass
class State:
    """Everything training carries from epoch to epoch and call to call.

    The estimator builds it from its fitted attributes and stores it back;
    the lists grow in place.
    """

    t: int = 0
    n_iter: int = 0
    loss: float = None
    loss_curve: list = field(default_factory=list)
    validation_loss_curve: list = field(default_factory=list)
    validation_scores: list = None
    best_loss: float = None
    best_validation_score: float = None
    no_improvement_count: int = 0
    best_params: np.ndarray = None
    optimizer_state: dict = field(default_factory=dict)
    schedule_state: dict = field(default_factory=dict)
    early_stopped: bool = False
    start_loss: float = None
    # The epoch (1-based, into loss_curve) of best_params, and of the
    # weights the network holds now.
    best_epoch: int = None
    kept_epoch: int = None

    @classmethod
    def fresh(cls, schedule, early_stopping):
        """The state of a network that has not trained yet: the one place
        where training state is created.

        The optimizer state stays empty: the first epoch creates it (see
        `skprop._backend`'s ``continued_state``), so no second copy is held.
        `start_loss` is measured by the first epoch, `best_params` set by the
        first best one.
        """
        if early_stopping:
            return cls(
                schedule_state=schedule.init(),
                validation_scores=[],
                best_validation_score=-np.inf,
            )
        return cls(schedule_state=schedule.init(), best_loss=np.inf)

    def begin_call(self):
        """A fit or partial_fit call starts: its own epoch count, no stop yet
        (the one place where a call resets training state)."""
        self.n_iter = 0
        self.early_stopped = False


class Trainer:
    """Trains a network on the objective of `skprop._epoch`.

    Parameters
    ----------
    net : Network
    loss : Loss
    optimizer : Optimizer
    schedule : Schedule
    settings : Settings
    score : callable
        ``score(Y, raw, sample_weight) -> float``, the validation score.
    reporter : object
        Told of each epoch: ``begin_epoch()`` before it,
        ``end_epoch(record, state)`` once it is recorded (True to stop) and
        ``close_epoch(stop, state)`` after the stopping rules (True to stop),
        and ``end_training()`` once training ends, normally or not.
    ops : NumpyOps or ArrayOps, default=NUMPY
        The array library of `net` and the arrays (`skprop._ops`).
    """

    def __init__(
        self,
        net,
        loss,
        optimizer,
        schedule,
        settings,
        score,
        reporter,
        ops=NUMPY,
    ):
        self.net, self.loss = net, loss
        self.optimizer, self.schedule = optimizer, schedule
        self.settings, self.score, self.reporter = settings, score, reporter
        self.ops = ops
        self.rule = stopping_rule(settings, schedule)

    def train(self, train, val, state, rng):
        """Train on ``train = (X, Y, sample_weight)``, scoring on `val`
        (the same triple, or None); return the updated `state`."""
        state.begin_call()
        try:
            if self.settings.batch_size is None:
                self._fit_full_batch(train, val, state)
            else:
                self._fit_stochastic(train, val, state, rng)
        finally:
            self.reporter.end_training()
        if not self.ops.all_finite(self.net.params):
            raise divergence_error(
                "the weights became non-finite", state.n_iter, weights_non_finite=True
            )
        return state

    # ------------------------------------------------------------------
    # Minibatch epochs
    # ------------------------------------------------------------------

    def _fit_stochastic(self, train, val, state, rng):
        """Minibatch epochs until max_epochs, a plateau or a callback stops."""
        X, Y, sample_weight = train
        settings, net, ops = self.settings, self.net, self.ops
        state.optimizer_state = ops.continued_state(
            self.optimizer, net.params, state.optimizer_state
        )
        batches = Batches(
            X, Y, sample_weight, settings.batch_size, net.params.dtype, ops
        )
        order = np.arange(Y.shape[0]) if settings.shuffle else None
        mean_weight = 1.0 if sample_weight is None else ops.mean(sample_weight)
        self._check_schedule_period()
        if state.start_loss is None:
            state.start_loss = self._start_loss(X, Y, batches)
        # Weights of the last complete epoch, for a clean stop on Ctrl-C.
        self._completed = ops.copy(net.params)
        try:
            for _ in range(settings.max_epochs):
                self.reporter.begin_epoch()
                stop = self._epoch(batches, order, mean_weight, val, state, rng)
                if self.reporter.close_epoch(stop, state):
                    break
            else:
                if self.rule.warns_at_max_iter:
                    max_iter = settings.max_epochs
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({max_iter}) "
                        "reached and the optimization hasn't converged yet. "
                        f"Increase max_iter (max_iter={max_iter}), or raise the "
                        "learning rate.",
                        ConvergenceWarning,
                    )
        except KeyboardInterrupt:
            self._interrupted(state)
        # A copy of every weight: not held through the checks that follow.
        self._completed = None
        self.rule.finish(state, net)
        # Each step is checked by the next batch's loss, the last one here.
        rows = min(batches.batch_size, Y.shape[0])
        with np.errstate(over="ignore", invalid="ignore"):
            raw = net.forward(X[:rows, :])
        check_finite_outputs(ops, raw, len(state.loss_curve), "the training data")

    def _check_schedule_period(self):
        """Warn when a schedule spans other epochs than a fit trains."""
        period = getattr(self.schedule, "max_iter", None)
        epochs = self.settings.max_epochs
        if self.rule.streaming or period is None or period == epochs:
            return
        name = type(self.schedule).__name__
        if period < epochs:
            effect = f"epochs {period + 1} to {epochs} train at its final rate"
        else:
            effect = f"it stops at epoch {epochs}, before its end"
        warnings.warn(
            f"The learning-rate schedule {name}(max_iter={period}) spans "
            f"{period} epochs but the estimator trains max_iter={epochs}: "
            f"{effect}. Set learning_rate__max_iter={epochs} to match, or "
            "ignore this if it is meant.",
            UserWarning,
        )

    def _start_loss(self, X, Y, batches):
        """The objective of the network as training starts, on one batch's
        rows: the scale an exploding loss is measured against."""
        ops, rows = self.ops, slice(0, min(batches.batch_size, Y.shape[0]))
        # Compact targets (a classifier's uint8 indicators) in the net's dtype;
        # unweighted, as the rows' weights may all be zero.
        Y = ops.targets(Y[rows, :], self.net.params.dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            value, _ = full_objective(
                self.net, self.loss, X[rows, :], Y, None, self.settings.alpha
            )
        return ops.to_float(value)

    def _check_explosion(self, epoch_loss, state):
        """A finite loss EXPLOSION times its start diverges, as NaN does."""
        start = state.start_loss
        if start is not None and 0 < start < np.inf and epoch_loss > EXPLOSION * start:
            raise divergence_error(
                f"the training loss exploded to {epoch_loss:.3g}, more than "
                f"{EXPLOSION:.0e} times the {start:.3g} it started from",
                len(state.loss_curve) + 1,
            )

    def _epoch(self, batches, order, mean_weight, val, state, rng):
        """One epoch, recorded; True means stop."""
        epoch = len(state.loss_curve) + 1
        lr = self.schedule.rate(state.schedule_state, epoch - 1, state.t)
        start = time.perf_counter()
        if order is not None:
            rng.shuffle(order)
        settings = {
            "lr": lr,
            "alpha": self.settings.alpha,
            "mean_weight": mean_weight,
            "clip_grad_norm": self.settings.clip_grad_norm,
            "epoch": epoch,
        }
        with np.errstate(over="ignore", invalid="ignore"):
            epoch_loss, state.optimizer_state = run_epoch(
                self.net,
                self.loss,
                self.optimizer,
                state.optimizer_state,
                batches,
                order,
                settings,
                rng,
            )
        self.ops.assign(self._completed, self.net.params)
        state.t += batches.y.shape[0]
        return self._end_epoch(epoch_loss, val, lr, start, state)

    def _interrupted(self, state):
        """Ctrl-C: keep the last complete epoch's weights, and say so."""
        self.net.params[...] = self._completed
        # The optimizer keeps the moments of the interrupted epoch: they only
        # steer later training, and a copy would cost two vectors.
        if state.n_iter == 0:
            kept = "the weights it started from are kept"
        else:
            best = (
                " (the best ones, with early stopping)" if self.rule.keeps_best else ""
            )
            kept = f"the weights of the last complete epoch{best} are kept"
        warnings.warn(
            f"Training interrupted by user. After {state.n_iter} complete "
            f"epoch(s) (KeyboardInterrupt), {kept}."
        )

    # ------------------------------------------------------------------
    # Records and stopping rules
    # ------------------------------------------------------------------

    def _end_epoch(self, epoch_loss, val, lr, start, state, plateaus=True):
        """Record an epoch, update the stopping counters; True means stop."""
        state.n_iter += 1
        self._check_explosion(epoch_loss, state)
        state.loss = epoch_loss
        state.loss_curve.append(epoch_loss)
        state.kept_epoch = len(state.loss_curve)
        val_loss, val_score = self._evaluate(val, state)
        self.rule.observe(state, val_score, lambda: self.ops.copy(self.net.params))
        record = {
            "epoch": len(state.loss_curve),
            "loss": epoch_loss,
            "val_loss": val_loss,
            "val_score": val_score,
            "learning_rate": lr,
            "time": time.perf_counter() - start,
        }
        stop = self.reporter.end_epoch(record, state)
        # L-BFGS (no plateaus) stops on its own criteria, as in MLP.
        if plateaus:
            stop = self.rule.after_epoch(state, self.net) or stop
        return stop

    def _evaluate(self, val, state):
        """Validation loss and score of the current weights (None, None
        without a validation set)."""
        if val is None:
            return None, None
        X_val, Y_val, weight_val = val
        with np.errstate(over="ignore", invalid="ignore"):
            val_loss, raw = full_objective(
                self.net, self.loss, X_val, Y_val, weight_val, self.settings.alpha
            )
        check_finite_outputs(
            self.ops, raw, len(state.loss_curve), "the validation data"
        )
        val_score = self.score(Y_val, raw, weight_val)
        state.validation_loss_curve.append(val_loss)
        if state.validation_scores is None:
            state.validation_scores = []
        state.validation_scores.append(val_score)
        return val_loss, val_score

    # ------------------------------------------------------------------
    # L-BFGS
    # ------------------------------------------------------------------

    def _fit_full_batch(self, train, val, state):
        """Training by an optimizer that minimises the full-batch objective
        itself (L-BFGS), over a float64 copy of the flat parameters."""
        X, Y, sample_weight = train
        net, settings, ops = self.net, self.settings, self.ops
        Y = ops.targets(Y, net.params.dtype)
        total_weight = ops.weight_sum(Y, sample_weight)

        def value_and_grad(flat):
            ops.assign_host(net.params, flat)
            with np.errstate(over="ignore", invalid="ignore"):
                value = objective(
                    net, self.loss, X, Y, sample_weight, settings.alpha, total_weight
                )
            return ops.to_float(value), ops.to_host64(net.grad)

        # Full-batch minimisers count no plateaus (MLP's bookkeeping only).
        state.no_improvement_count = 0
        start = [time.perf_counter()]
        stopped = [False]

        def after_iteration(intermediate_result):
            ops.assign_host(net.params, intermediate_result.x)
            self.reporter.begin_epoch()
            loss = float(intermediate_result.fun)
            stop = self._end_epoch(loss, val, None, start[0], state, plateaus=False)
            stop = self.reporter.close_epoch(stop, state)
            start[0] = time.perf_counter()
            if stop:
                stopped[0] = True
                raise StopIteration

        x, state.loss, n_iter = self.optimizer.minimize(
            value_and_grad,
            ops.to_host64(net.params),
            after_iteration,
            settings.max_epochs,
            settings.tol,
        )
        # A callback that stopped training may have chosen other weights
        # (EarlyStopping restores its best ones): they stand.
        if not stopped[0]:
            ops.assign_host(net.params, x)
        if not np.isfinite(state.loss):
            raise divergence_error(
                f"the training loss became {state.loss}",
                state.n_iter,
                weights_non_finite=not ops.all_finite(net.params),
            )
        state.n_iter = n_iter
