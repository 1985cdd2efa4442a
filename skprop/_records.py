"""Training records and fitted attributes: the trainer's state read from an
estimator and stored back, and each epoch reported as fitted attributes, a
verbose line, skprop callbacks and scikit-learn callback tasks."""

import contextlib
import copy

from skprop._trainer import State
from skprop.callbacks import _call_callbacks, _end_callbacks, snapshot_weights


def initialize(estimator, layer_units, parts, loss):
    """Fresh fitted state apart from the weights: the network's shape, and
    the training state of a network that has not trained yet."""
    estimator.n_layers_ = len(layer_units)
    estimator.n_outputs_ = layer_units[-1]
    estimator.out_activation_ = loss.link.out_activation
    for attribute in [_ATTRIBUTES[field] for field in _OPTIONAL]:
        vars(estimator).pop(attribute, None)
    store(estimator, State.fresh(parts["schedule"], parts["early_stopping"]))


# State field -> fitted attribute. `loss_` and `_best_params` exist only once
# there is a value: missing ones read as None, and None is not stored.
_ATTRIBUTES = {
    "t": "t_",
    "n_iter": "n_iter_",
    "loss": "loss_",
    "loss_curve": "loss_curve_",
    "validation_loss_curve": "validation_loss_curve_",
    "validation_scores": "validation_scores_",
    "best_loss": "best_loss_",
    "best_validation_score": "best_validation_score_",
    "no_improvement_count": "_no_improvement_count",
    "best_params": "_best_params",
    "optimizer_state": "_optimizer_state",
    "schedule_state": "_schedule_state",
    "early_stopped": "early_stopped_",
    "start_loss": "_start_loss",
    "best_epoch": "_best_params_epoch",
    "kept_epoch": "best_epoch_",
}
_OPTIONAL = ("loss", "best_params")


def state_of(estimator):
    """The training state held in `estimator`'s fitted attributes."""
    return State(
        **{
            field: getattr(estimator, attribute, None)
            for field, attribute in _ATTRIBUTES.items()
        }
    )


def store(estimator, state):
    """`estimator`'s fitted attributes from a training state."""
    for field, attribute in _ATTRIBUTES.items():
        value = getattr(state, field)
        if value is not None or field not in _OPTIONAL:
            setattr(estimator, attribute, value)


class Reporter:
    """What the trainer tells an estimator of each epoch.

    Parameters
    ----------
    estimator : BaseBackprop
    task : FitTask
        The fit as scikit-learn's callbacks see it.
    """

    def __init__(self, estimator, task):
        self.estimator, self.task = estimator, task
        self._epoch_task = None

    def begin_epoch(self):
        """Open the epoch's scikit-learn task."""
        self._epoch_task = self.task.begin_epoch()

    def end_epoch(self, record, state):
        """Attributes, verbose line and skprop callbacks; True stops."""
        estimator = self.estimator
        store(estimator, state)
        if estimator.verbose:
            print_record(record)
        stop = _call_callbacks(estimator.callbacks, estimator, record)
        # A callback that put back other weights says whose (EarlyStopping).
        state.kept_epoch = estimator.best_epoch_
        return stop

    def end_training(self):
        """Training ended (normally or by an error): tell the callbacks."""
        _end_callbacks(self.estimator.callbacks, self.estimator)

    def close_epoch(self, stop, state):
        """Attributes after the stopping rules; close the scikit-learn task."""
        store(self.estimator, state)
        return self.task.end_epoch(self._epoch_task, stop)


def print_record(record):
    """One aligned line per epoch, under a header before the first."""

    def cell(key, spec):
        return "" if record[key] is None else format(record[key], spec)

    if record["epoch"] == 1:
        print(
            f"{'epoch':>6} {'loss':>12} {'val_loss':>12} {'val_score':>10} "
            f"{'lr':>10} {'seconds':>8}"
        )
    print(
        f"{record['epoch']:>6d} {record['loss']:>12.6f} "
        f"{cell('val_loss', '.6f'):>12} {cell('val_score', '.4f'):>10} "
        f"{cell('learning_rate', '.3g'):>10} {record['time']:>8.3f}"
    )


@contextlib.contextmanager
def kept_on_error(estimator, keep_prefixes):
    """On any error in the block, restore the fitted state `estimator` had
    (attributes whose names start with `keep_prefixes` are left alone).

    Training replaces arrays and dicts of fitted state rather than writing
    into them; only the curves (lists) grow in place. So a shallow copy of
    each list is a complete snapshot, at a cost independent of model size.
    """
    params = set(estimator._get_param_names())
    saved = {
        name: copy.copy(value) if isinstance(value, list) else value
        for name, value in vars(estimator).items()
        if name not in params and not name.startswith(keep_prefixes)
    }
    try:
        yield
    except BaseException:
        for name in [n for n in vars(estimator) if n not in params]:
            if not name.startswith(keep_prefixes):
                delattr(estimator, name)
        vars(estimator).update(saved)
        raise


def reconstruction_attributes(estimator):
    """Fitted attributes of the current epoch, copied, for scikit-learn
    callbacks that evaluate a model mid-fit."""
    attributes = {
        name: copy.copy(value)
        for name, value in vars(estimator).items()
        if name.endswith("_") and not name.startswith("_")
    }
    attributes.update(snapshot_weights(estimator))
    return attributes
