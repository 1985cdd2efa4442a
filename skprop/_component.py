"""Base class of every pluggable part, and name-to-object resolution."""

from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import InvalidParameterError


class Component(BaseEstimator):
    """Base class of losses, optimizers, activations, schedules and callbacks.

    A component holds hyper-parameters only: ``__init__`` stores its arguments
    and nothing else, so ``get_params``, ``set_params``, ``clone`` and nested
    parameters such as ``optimizer__momentum`` work as for any scikit-learn
    estimator. Anything that changes during training is returned as state and
    kept by the estimator.

    Subclasses may declare ``_parameter_constraints`` (in scikit-learn's
    format); they are checked when an estimator is fitted with the component.
    """

    _parameter_constraints: dict = {}

    def validate(self):
        """Check the hyper-parameters against `_parameter_constraints`.

        Raises
        ------
        ValueError or TypeError
            Naming the parameter and the values it accepts.
        """
        self._validate_params()


def resolve(spec, registry, base, param_name):
    """Turn a registry name or a component into a validated component.

    Parameters
    ----------
    spec : str or Component
        A name from `registry` or an instance of `base`.
    registry : dict
        Maps names to component classes.
    base : type
        The base class `spec` must be an instance of when not a name.
    param_name : str
        Name of the estimator parameter, used in error messages.

    Returns
    -------
    component : Component
        A fresh default instance for a name; `spec` itself otherwise (training
        never changes a component: its state is kept by the estimator).
    """
    if isinstance(spec, str):
        if spec not in registry:
            raise InvalidParameterError(
                f"The '{param_name}' parameter must be one of "
                f"{sorted(registry)} or a {base.__name__} instance; got {spec!r}."
            )
        return registry[spec]()
    if not isinstance(spec, base):
        raise TypeError(
            f"The '{param_name}' parameter must be a string or a "
            f"{base.__name__} instance; got {type(spec).__name__}."
        )
    spec.validate()
    return spec
