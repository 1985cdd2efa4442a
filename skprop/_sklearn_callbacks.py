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


class EpochTask:
    """One epoch reported to scikit-learn's callbacks as a fit sub-task.

    Parameters
    ----------
    context : CallbackContext or None
        The estimator's root context (None: nothing to report).
    estimator : estimator instance
    """

    def __init__(self, context, estimator):
        self.estimator = estimator
        self.context = None
        if context is not None and getattr(estimator, "_skl_callbacks", None):
            self.context = context.subcontext(task_name="epoch")
            self.context.call_on_fit_task_begin(
                estimator=estimator,
                reconstruction_attributes=estimator._reconstruction_attributes,
            )

    def end(self, stop):
        """Report the end of the epoch; True if training should stop."""
        if self.context is None:
            return stop
        callback_stop = self.context.call_on_fit_task_end(
            estimator=self.estimator,
            reconstruction_attributes=self.estimator._reconstruction_attributes,
        )
        return bool(stop or callback_stop)
