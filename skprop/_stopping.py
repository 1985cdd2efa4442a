"""Stopping rules: one object per fit decides, once an epoch, whether training
goes on, and which weights it ends with.

- `LossPlateau`: MLP's rule without early stopping; `n_iter_no_change`
  epochs whose training loss misses `tol` end training (or, with an
  ``Adaptive`` schedule, divide the learning rate).
- `HoldOut`: early stopping on a validation score; the best epoch's weights
  are kept. With ``last_best`` every epoch trains, and the last of the best
  epochs is kept.
- `StreamingHoldOut`: early stopping over `partial_fit` calls, each an
  epoch; a plateau restores the best weights and says so, and later calls
  train on from them.

L-BFGS stops on its own criteria, as in MLP: its iterations are recorded
(`observe`) but never end on a plateau.
"""

import warnings

import numpy as np


class LossPlateau:
    """MLP's stopping rule on the training loss.

    Parameters
    ----------
    tol : float
    n_iter_no_change : int or float
    schedule : Schedule
        Told of each plateau: it may stop training or lower its rate.
    streaming : bool, default=False
        Whether each call is one epoch of a `partial_fit` stream.
    """

    # Whether the weights of the best epoch are kept at the end.
    keeps_best = False

    def __init__(self, tol, n_iter_no_change, schedule, streaming=False):
        self.tol, self.n_iter_no_change = tol, n_iter_no_change
        self.schedule, self.streaming = schedule, streaming

    @property
    def warns_at_max_iter(self):
        """Whether ending at `max_iter` is a failure to converge."""
        return not self.streaming

    def observe(self, state, val_score, copy_params):
        """Count the epoch just recorded in `state` as an improvement or not."""
        if state.best_loss is None:
            state.best_loss = np.inf
        if state.loss > state.best_loss - self.tol:
            state.no_improvement_count += 1
        else:
            state.no_improvement_count = 0
        state.best_loss = min(state.best_loss, state.loss)

    def after_epoch(self, state, net):
        """After the epoch's callbacks: True stops training."""
        if state.no_improvement_count <= self.n_iter_no_change:
            return False
        return self._plateau(state, net)

    def _plateau(self, state, net):
        stop, state.schedule_state = self.schedule.plateau(state.schedule_state)
        if not stop:
            state.no_improvement_count = 0
        return stop

    def finish(self, state, net):
        """Training ended: leave the weights it should end with."""


class HoldOut(LossPlateau):
    """Early stopping on the validation score of a hold-out.

    Parameters
    ----------
    tol, n_iter_no_change, schedule
        As `LossPlateau`'s.
    last_best : bool, default=False
        Train every epoch and keep the last of the best ones (ties go to the
        later epoch) instead of MLP's first best and stop on a plateau.
    """

    keeps_best = True

    def __init__(
        self, tol, n_iter_no_change, schedule, last_best=False, streaming=False
    ):
        super().__init__(tol, n_iter_no_change, schedule, streaming=streaming)
        self.last_best = last_best

    @property
    def warns_at_max_iter(self):
        # "last_best" trains max_iter epochs on purpose.
        return not self.last_best

    def observe(self, state, val_score, copy_params):
        if state.best_validation_score is None:
            state.best_validation_score = -np.inf
        if val_score < state.best_validation_score + self.tol:
            state.no_improvement_count += 1
        else:
            state.no_improvement_count = 0
        later_tie = self.last_best and val_score == state.best_validation_score
        if val_score > state.best_validation_score or later_tie:
            state.best_validation_score = val_score
            state.best_params = copy_params()
            state.best_epoch = len(state.loss_curve)

    def _plateau(self, state, net):
        stop = super()._plateau(state, net)
        if not self.last_best:
            return stop
        # Never stops on a plateau (an Adaptive rate still drops).
        state.no_improvement_count = 0
        return False

    def finish(self, state, net):
        restore_best(net, state)


class StreamingHoldOut(HoldOut):
    """Early stopping over the calls of a `partial_fit` stream."""

    keeps_best = False
    warns_at_max_iter = False

    def __init__(self, tol, n_iter_no_change, schedule, last_best=False):
        super().__init__(tol, n_iter_no_change, schedule, last_best, streaming=True)

    def _plateau(self, state, net):
        restore_best(net, state)
        state.early_stopped = True
        state.no_improvement_count = 0
        warnings.warn(
            f"Validation score did not improve by tol={self.tol} for more than "
            f"{self.n_iter_no_change} partial_fit calls; the best weights "
            f"(validation score {state.best_validation_score:.6g}) were "
            "restored. Further partial_fit calls train on from them."
        )
        return False

    def finish(self, state, net):
        """The stream goes on: the weights stay those of the last call."""


def stopping_rule(settings, schedule):
    """The rule the estimator's settings ask for: the one place that reads
    its early-stopping flags."""
    args = (settings.tol, settings.n_iter_no_change, schedule)
    if not settings.early_stopping:
        return LossPlateau(*args, streaming=settings.streaming)
    if settings.streaming:
        return StreamingHoldOut(*args, last_best=settings.last_best)
    return HoldOut(*args, last_best=settings.last_best)


def restore_best(net, state):
    """Put the best validation epoch's weights back, where there are some."""
    best = state.best_params
    if best is not None and best.shape == net.params.shape:
        net.params[...] = best
        state.kept_epoch = state.best_epoch
