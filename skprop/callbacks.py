"""Callbacks: code run after every epoch.

A callback is any callable ``callback(estimator, record)``; ``record`` is a
dict with ``epoch`` (counting from 1), ``loss``, ``val_loss``, ``val_score``
(None without validation data), ``learning_rate`` and ``time`` (seconds of
the epoch). Returning True stops training.
"""

import os
import pickle
import sys
import tempfile
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from skprop._component import Component
from skprop._model import WEIGHTS
from skprop._ops import copy_array


class Callback(Component):
    """Base class of callbacks.

    A subclass implements `__call__`; state it gathers during training (such
    as `History.records_`) lives in attributes ending with ``_``, reset by
    `on_train_begin` at the first epoch of a fit.

    Examples
    --------
    >>> from skprop.callbacks import Callback
    >>> class StopAtLoss(Callback):
    ...     def __init__(self, threshold=0.1):
    ...         self.threshold = threshold
    ...     def __call__(self, estimator, record):
    ...         return record["loss"] < self.threshold
    >>> StopAtLoss(0.05)(None, {"loss": 0.01})
    True
    """

    def on_train_begin(self, estimator):
        """Reset what the callback gathered (called before the first epoch
        of a fit that starts from scratch)."""

    def on_train_end(self, estimator):
        """Release what the callback holds open (called once every `fit` or
        `partial_fit` call ends, normally or by an error)."""

    def __call__(self, estimator, record):
        """Run after an epoch; return True to stop training."""
        raise NotImplementedError


class History(Callback):
    """Keep every epoch's record in `records_`.

    Attributes
    ----------
    records_ : list of dict

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skprop import BackpropClassifier
    >>> from skprop.callbacks import History
    >>> X, y = make_classification(random_state=0)
    >>> history = History()
    >>> model = BackpropClassifier(max_iter=3, callbacks=[history]).fit(X, y)
    >>> [r["epoch"] for r in history.records_]
    [1, 2, 3]
    """

    def on_train_begin(self, estimator):
        self.records_ = []

    def __call__(self, estimator, record):
        if not hasattr(self, "records_"):
            self.records_ = []
        self.records_.append(dict(record))
        return False


class EarlyStopping(Callback):
    """Stop when a monitored quantity stops improving.

    Parameters
    ----------
    monitor : {"val_loss", "val_score", "loss"}, default="val_loss"
        Record entry to watch; losses should fall, scores rise.
    patience : int, default=5
        Epochs without an improvement of at least `min_delta` before stopping.
    min_delta : float, default=0.0
    restore_best_weights : bool, default=True
        Put back the weights of the best epoch when stopping.

    Attributes
    ----------
    best_ : float
        Best value seen.
    best_epoch_ : int
    stopped_epoch_ : int or None

    Examples
    --------
    >>> from skprop.callbacks import EarlyStopping
    >>> EarlyStopping(monitor="loss", patience=3)
    EarlyStopping(monitor='loss', patience=3)
    """

    _parameter_constraints = {
        "monitor": [StrOptions({"val_loss", "val_score", "loss"})],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "min_delta": [Interval(Real, 0, None, closed="left")],
        "restore_best_weights": ["boolean"],
    }

    def __init__(
        self, monitor="val_loss", patience=5, min_delta=0.0, restore_best_weights=True
    ):
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, estimator):
        self.best_ = np.inf
        self.best_epoch_ = 0
        self.stopped_epoch_ = None
        self._best_weights = None

    def __call__(self, estimator, record):
        value = record[self.monitor]
        if value is None:
            raise ValueError(
                f"EarlyStopping(monitor={self.monitor!r}) needs validation data: "
                "pass X_val and y_val to fit, or set early_stopping=True."
            )
        # Scores rise, losses fall: compare on one scale.
        signed = -value if self.monitor == "val_score" else value
        if not hasattr(self, "best_"):
            self.on_train_begin(estimator)
        if signed < self.best_ - self.min_delta:
            self.best_, self.best_epoch_ = signed, record["epoch"]
            self._best_weights = snapshot_weights(estimator)
            return False
        if record["epoch"] - self.best_epoch_ < self.patience:
            return False
        self.stopped_epoch_ = record["epoch"]
        if self.restore_best_weights and self._best_weights is not None:
            restore_weights(estimator, self._best_weights)
            estimator.best_epoch_ = self.best_epoch_
        return True


class ProgressBar(Callback):
    """Show progress per epoch: a `rich <https://rich.readthedocs.io>`_ bar
    on stderr when rich is installed (``pip install skprop[progress]``), one
    plain line per epoch on stderr otherwise.

    The bar opens at the first epoch of a fit and is closed when the fit
    ends, normally, by a stopping rule or by an error. In a `partial_fit`
    stream each call is an epoch: the first opens and closes a bar, later
    ones print plain lines.

    Parameters
    ----------
    total : int or None, default=None
        Number of epochs expected (the estimator's ``max_iter`` when None).

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> from skprop.callbacks import ProgressBar
    >>> model = BackpropClassifier(callbacks=[ProgressBar()])
    """

    def __init__(self, total=None):
        self.total = total

    def on_train_begin(self, estimator):
        self._close()
        try:
            from rich.console import Console
            from rich.progress import Progress
        except ImportError:
            return
        total = self.total or getattr(estimator, "max_iter", None)
        # Refreshed once an epoch by __call__: no refresh thread in fit.
        progress = Progress(console=Console(stderr=True), auto_refresh=False)
        progress.start()
        self._bar = (progress, progress.add_task("epoch", total=total))

    def __call__(self, estimator, record):
        bar = getattr(self, "_bar", None)
        summary = f"loss={record['loss']:.4g}"
        if record["val_score"] is not None:
            summary += f" val_score={record['val_score']:.4g}"
        if bar is None:
            print(f"epoch {record['epoch']}: {summary}", file=sys.stderr)
        else:
            progress, task = bar
            description = f"epoch {record['epoch']} {summary}"
            progress.update(task, advance=1, description=description, refresh=True)
        return False

    def on_train_end(self, estimator):
        self._close()

    def _close(self):
        bar = getattr(self, "_bar", None)
        if bar is not None:
            bar[0].stop()
        self._bar = None

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_bar", None)
        return state


class Checkpoint(Callback):
    """Pickle the model to `path` whenever the monitored value improves.

    The file is written to a temporary file in the same folder and renamed,
    so `path` always holds a complete model, even if training is killed.

    Parameters
    ----------
    path : str or path-like
    monitor : {"val_loss", "val_score", "loss"}, default="val_loss"
        Falls back to "loss" when there is no validation data.

    Examples
    --------
    >>> from skprop.callbacks import Checkpoint
    >>> Checkpoint("best_model.pkl", monitor="loss")
    Checkpoint(monitor='loss', path='best_model.pkl')
    """

    _parameter_constraints = {
        "path": [str, os.PathLike],
        "monitor": [StrOptions({"val_loss", "val_score", "loss"})],
    }

    def __init__(self, path, monitor="val_loss"):
        self.path = path
        self.monitor = monitor

    def on_train_begin(self, estimator):
        self.best_ = np.inf

    def __call__(self, estimator, record):
        value = record[self.monitor]
        if value is None:
            value = record["loss"]
        signed = -value if self.monitor == "val_score" else value
        if signed < getattr(self, "best_", np.inf):
            self.best_ = signed
            self._write(estimator)
        return False

    def _write(self, estimator):
        folder = os.path.dirname(os.path.abspath(self.path))
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(estimator, file)
            os.replace(temporary, self.path)
        except BaseException:
            os.unlink(temporary)
            raise


def snapshot_weights(estimator):
    """A copy of all the weights of a fitted network, for `restore_weights`.

    Every weight the network trains is included: `coefs_`, `intercepts_`,
    the input layers' `input_params_`, the parametric activations'
    `activation_params_` and the members' `adapters_`; the arrays stay in
    their namespace and on their device.

    Parameters
    ----------
    estimator : BackpropClassifier or BackpropRegressor
        A fitted estimator, e.g. the one a callback is given.

    Returns
    -------
    snapshot : dict
        Fitted attribute name -> copies of its arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop import BackpropRegressor
    >>> from skprop.callbacks import restore_weights, snapshot_weights
    >>> X, y = np.arange(20.0).reshape(10, 2), np.arange(10.0)
    >>> model = BackpropRegressor((4,), max_iter=5, random_state=0).fit(X, y)
    >>> saved = snapshot_weights(model)
    >>> model.coefs_[0][...] = 0.0
    >>> restore_weights(model, saved)
    >>> bool(np.array_equal(model.coefs_[0], saved["coefs_"][0]))
    True
    """
    return {
        name: _copy_weights(getattr(estimator, name, None) or []) for name in WEIGHTS
    }


def restore_weights(estimator, snapshot):
    """Write a `snapshot_weights` snapshot back into a fitted network.

    Parameters
    ----------
    estimator : BackpropClassifier or BackpropRegressor
        The estimator the snapshot was taken from (same layer sizes).
    snapshot : dict
        What `snapshot_weights` returned.
    """
    for name in WEIGHTS:
        _write_weights(getattr(estimator, name, None) or [], snapshot[name])


def _copy_weights(arrays):
    if isinstance(arrays, (list, tuple)):
        return [_copy_weights(a) for a in arrays]
    return None if arrays is None else copy_array(arrays)


def _write_weights(current, saved):
    if isinstance(current, (list, tuple)):
        for a, b in zip(current, saved):
            _write_weights(a, b)
    elif current is not None:
        current[...] = saved


def _end_callbacks(callbacks, estimator):
    """Tell every callback that has `on_train_end` that training ended."""
    for callback in callbacks or []:
        if hasattr(callback, "on_train_end"):
            callback.on_train_end(estimator)


def _call_callbacks(callbacks, estimator, record):
    """Call every callback (all of them, even after one asks to stop);
    True if any asked to stop."""
    stop = False
    for callback in callbacks or []:
        if record["epoch"] == 1 and hasattr(callback, "on_train_begin"):
            callback.on_train_begin(estimator)
        stop = bool(callback(estimator, record)) or stop
    return stop


_REGISTRY = {
    "history": History,
    "early_stopping": EarlyStopping,
    "progress_bar": ProgressBar,
    "checkpoint": Checkpoint,
}
