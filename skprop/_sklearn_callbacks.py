"""Bridge to scikit-learn's own callback framework (``sklearn.callback``,
scikit-learn >= 1.9). On older versions every piece here is a no-op."""

import functools

try:
    from sklearn.callback import CallbackSupportMixin
    from sklearn.callback._callback_support import callback_management_context
except ImportError:  # scikit-learn < 1.9

    class CallbackSupportMixin:
        """Stand-in: this scikit-learn has no callback framework."""

        def _init_callback_context(self, **kwargs):
            return None

    callback_management_context = None


def with_sklearn_callbacks(method):
    """Tear scikit-learn callbacks down after `method`, whatever happens."""
    if callback_management_context is None:
        return method

    @functools.wraps(method)
    def managed(estimator, *args, **kwargs):
        with callback_management_context(estimator):
            return method(estimator, *args, **kwargs)

    return managed


class FitTask:
    """A fit reported to scikit-learn's callbacks: one root task, and one
    sub-task per epoch.

    Parameters
    ----------
    estimator : estimator instance
    X, y : array-like
        The data as the user passed it, for callbacks that score the model.
    max_epochs : int
        Epochs this call may run.
    """

    def __init__(self, estimator, X, y, max_epochs):
        self.estimator, self.X, self.y = estimator, X, y
        self.context = estimator._init_callback_context(max_subtasks=max_epochs)
        if self.context is not None:
            self.context.call_on_fit_task_begin(estimator=estimator, X=X, y=y)

    def begin_epoch(self):
        """Open an epoch's sub-task (None without the callback framework)."""
        if self.context is None:
            return None
        epoch = self.context.subcontext(task_name="epoch")
        epoch.call_on_fit_task_begin(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            reconstruction_attributes=self.estimator._reconstruction_attributes,
        )
        return epoch

    def end_epoch(self, epoch, stop):
        """Close an epoch's sub-task; True if training should stop."""
        if epoch is None:
            return stop
        callback_stop = epoch.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            reconstruction_attributes=self.estimator._reconstruction_attributes,
        )
        return bool(stop or callback_stop)

    def end(self):
        """Close the root task once the estimator is fitted."""
        if self.context is not None:
            self.context.call_on_fit_task_end(
                estimator=self.estimator,
                X=self.X,
                y=self.y,
                reconstruction_attributes={},
            )
