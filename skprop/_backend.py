"""The namespace and device of the data: which `ops` (`skprop._ops`) the
one engine runs with, chosen once per call from ``X``.

NumPy input (and anything when scikit-learn's ``array_api_dispatch`` is off)
runs with `NUMPY`. With dispatch on, arrays of another Array API library
(torch on any device, CuPy, array-api-strict) run with `ArrayOps` in that
namespace and on that device: targets and weights move there, fitted arrays
and outputs live there. `to_namespace` moves a fitted model.
"""

import copy

import numpy as np
from scipy import sparse
from sklearn import config_context, get_config
from sklearn.utils._array_api import get_namespace_and_device, supported_float_dtypes

from skprop._numeric import host_dtype, to_numpy
from skprop._ops import NUMPY, ArrayOps

__all__ = ["host_dtype", "namespace_of", "ops_for", "float_dtypes", "to_namespace"]

_FLOAT_DTYPES = (np.float64, np.float32)


def namespace_of(X):
    """``(xp, device)`` of `X` when it takes the Array API engine, else None."""
    if not get_config()["array_api_dispatch"] or isinstance(X, np.ndarray):
        return None
    if sparse.issparse(X):
        return None
    try:
        xp, is_array_api, device = get_namespace_and_device(X)
    except TypeError:
        # Data frames and other array-likes: validate_data converts them.
        return None
    if not is_array_api or xp.__name__.rsplit(".", 1)[-1] == "numpy":
        return None
    return xp, device


def ops_for(X):
    """The `ops` that train on (or predict for) `X`."""
    found = namespace_of(X)
    return NUMPY if found is None else ArrayOps(*found)


def float_dtypes(X):
    """The float dtypes `validate_data` may give `X`, in `X`'s namespace."""
    found = namespace_of(X)
    if found is None:
        return _FLOAT_DTYPES
    xp, device = found
    try:
        dtypes = supported_float_dtypes(xp, device)
    except TypeError:
        # scikit-learn < 1.8 does not take the device.
        dtypes = supported_float_dtypes(xp)
    return tuple(d for d in dtypes if d in (xp.float64, xp.float32))


def check_same_namespace(X, estimator, method):
    """scikit-learn's check that `X` is in the namespace and on the device of
    the fitted arrays, with its message; with dispatch off, anything goes to
    a NumPy model."""
    fitted = estimator.coefs_[0]
    if not get_config()["array_api_dispatch"]:
        if not isinstance(fitted, np.ndarray):
            raise ValueError(
                f"{type(estimator).__name__} was fitted on {type(fitted).__name__} "
                f"arrays with array_api_dispatch=True; call {method}() with "
                "dispatch on, or move the model to NumPy first with "
                "skprop.to_namespace(model)."
            )
        return
    found = namespace_of(X)
    fitted_found = namespace_of(fitted)
    if found is None and fitted_found is None:
        return
    if found is not None and fitted_found is not None:
        if found[0] == fitted_found[0] and found[1] == fitted_found[1]:
            return
    fitted_name = "numpy" if fitted_found is None else fitted_found[0].__name__
    given = "numpy" if found is None else found[0].__name__
    raise ValueError(
        f"Inputs passed to {type(estimator).__name__}.{method}() must use the "
        "same namespace and the same device as those passed to fit(). Array "
        f"namespaces used during fit ({fitted_name}) and {method} ({given}) "
        "differ, or their devices do. Move the model with "
        "skprop.to_namespace(model, like=X), or move the data."
    )


def to_namespace(estimator, like=None):
    """A copy of a fitted estimator with every fitted array moved to NumPy,
    or to the namespace and device of the array `like`.

    A model trained on a GPU (or on any other Array API library) moves to
    NumPy this way before pickling, skops or ONNX export, and predicts the
    same there; with `like`, a NumPy model moves to a device.

    Parameters
    ----------
    estimator : BackpropClassifier or BackpropRegressor
        A fitted estimator; it is left as it is.
    like : array, default=None
        An array of the target namespace and device; None means NumPy.

    Returns
    -------
    moved : estimator
        A copy whose fitted arrays (weights, intercepts, ``classes_``,
        optimizer state) are NumPy arrays, or `like`'s.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop import BackpropRegressor, to_namespace
    >>> X, y = np.eye(3), np.arange(3.0)
    >>> model = BackpropRegressor(hidden_layer_sizes=(), max_iter=5).fit(X, y)
    >>> type(to_namespace(model).coefs_[0]).__name__
    'ndarray'
    """
    if like is None or isinstance(like, np.ndarray):
        convert = to_numpy
    else:
        with config_context(array_api_dispatch=True):
            ops = ArrayOps(*namespace_of(like))

        def convert(a):
            with config_context(array_api_dispatch=True):
                return ops.move(a)

    moved = copy.copy(estimator)
    for name, value in vars(estimator).items():
        if name.endswith("_") or name.startswith("_"):
            setattr(moved, name, _converted(value, convert))
    return moved


def _converted(value, convert):
    """`value` with every array in it (through lists, tuples and dicts)
    converted."""
    if isinstance(value, dict):
        return {key: _converted(item, convert) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_converted(item, convert) for item in value)
    if isinstance(value, np.ndarray) or hasattr(value, "__dlpack__"):
        return convert(value)
    return value
