"""The seam between the estimators and the engine: which engine trains or
predicts, chosen once per call from the namespace of ``X``.

NumPy input (and anything when scikit-learn's ``array_api_dispatch`` is off)
takes the NumPy engine of `skprop._network` and `skprop._epoch`, unchanged:
`NUMPY` only names its functions. With dispatch on, arrays of another Array
API library (torch on any device, CuPy, array-api-strict) take
`ArrayApiBackend`, the engine of `skprop._array_api` in that namespace and
on that device: targets and weights move there, fitted arrays and outputs
live there.
"""

import copy

import numpy as np
from scipy import sparse
from sklearn import config_context, get_config
from sklearn.utils._array_api import get_namespace_and_device, supported_float_dtypes

from skprop import _array_api, _epoch, _network
from skprop._numeric import copy_array, host_dtype, to_numpy

_FLOAT_DTYPES = (np.float64, np.float32)


def _foreign_namespace(X):
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


def backend_for(X):
    """The backend that trains on (or predicts for) `X`."""
    found = _foreign_namespace(X)
    return NUMPY if found is None else ArrayApiBackend(*found)


def float_dtypes(X):
    """The float dtypes `validate_data` may give `X`, in `X`'s namespace."""
    found = _foreign_namespace(X)
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
    found = _foreign_namespace(X)
    fitted_found = _foreign_namespace(fitted)
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


class NumpyBackend:
    """The NumPy engine, as it always was."""

    xp = None
    run_epoch = staticmethod(_epoch.run_epoch)
    objective = staticmethod(_epoch.objective)
    full_objective = staticmethod(_epoch.full_objective)
    check_finite_outputs = staticmethod(_epoch.check_finite_outputs)
    predict_raw = staticmethod(_network.predict_raw)
    copy = staticmethod(np.copy)
    assign = staticmethod(np.copyto)

    def host_inputs(self, *arrays):
        """Targets and weights for host-side validation: as they are."""
        return arrays

    def move(self, a, dtype=None):
        """`a` for this engine: as it is."""
        return a

    def classes_to_host(self, estimator):
        """`classes_` for the host-side label code: as it is."""

    def classes_to_device(self, estimator):
        """`classes_` as the fitted attribute: as it is."""

    def check_parts(self, parts, loss):
        """Raise for parts this engine cannot train with: none here."""

    def validation_score(self, estimator):
        """The estimator's validation score of raw outputs."""
        return estimator._validation_score

    def fitted_arrays(self, arrays):
        """Fitted per-layer arrays, to load into a network: as they are."""
        return arrays

    def ravel(self, a):
        """`a` flattened."""
        return a.ravel()

    def network(self, host_net):
        """The network to train: the host one itself."""
        return host_net

    def host_rows(self, X, rows):
        """Rows `rows` of `X` as a NumPy array (or sparse matrix)."""
        return X[rows]

    def batches(self, X, Y, sample_weight, batch_size, dtype):
        """Minibatches of the training set."""
        return _epoch.Batches(X, Y, sample_weight, batch_size, dtype)

    def device_data(self, data, dtype):
        """`data` (``(X, Y, sample_weight)`` or None) on the device: as it is."""
        return data

    def all_finite(self, a):
        """Whether every element of `a` is finite."""
        return bool(np.isfinite(a).all())

    def mean(self, a):
        """Mean of `a`, a Python float."""
        return float(a.mean())

    def weight_sum(self, y, sample_weight):
        """Total sample weight, a Python number."""
        return _epoch.weight_sum(y, sample_weight)

    def targets(self, Y, dtype):
        """Targets in the network's dtype."""
        return np.asarray(Y, dtype=dtype)

    def to_host64(self, a):
        """A float64 NumPy copy of `a`, for SciPy."""
        return a.astype(np.float64)

    def assign_host(self, target, values):
        """Write NumPy `values` into `target`."""
        target[...] = values

    def to_float(self, value):
        """A Python float of a scalar result."""
        return value

    def continued_state(self, optimizer, params, stored):
        """A fresh optimizer state holding the stored values that fit."""
        state = optimizer.init(params)
        if _same_layout(stored, state):
            for key, value in stored.items():
                if isinstance(state[key], np.ndarray):
                    np.copyto(state[key], value)
                else:
                    state[key] = value
        return state


def _same_layout(stored, state):
    """Whether a stored optimizer state has the keys and shapes of `state`."""
    return stored.keys() == state.keys() and all(
        tuple(np.shape(stored[k])) == tuple(np.shape(state[k])) for k in state
    )


class ArrayApiBackend(NumpyBackend):
    """The engine of `skprop._array_api`, in namespace `xp` on `device`."""

    run_epoch = staticmethod(_array_api.run_epoch)
    objective = staticmethod(_array_api.objective)
    full_objective = staticmethod(_array_api.full_objective)

    def __init__(self, xp, device):
        self.xp, self.device = xp, device

    def move(self, a, dtype=None):
        """`a` (None, NumPy or another namespace) in this namespace and on
        this device, in `dtype` if given (a float dtype of `xp`)."""
        if a is None:
            return None
        xp = self.xp
        if _foreign_namespace(a) != (xp, self.device):
            host = np.asarray(to_numpy(a))
            if dtype is not None:
                host = host.astype(host_dtype(dtype), copy=False)
            return xp.asarray(host, device=self.device)
        return a if dtype is None or a.dtype == dtype else xp.astype(a, dtype)

    def host_inputs(self, *arrays):
        """NumPy copies of targets and weights, validated and encoded on the
        host (once per call) before they move to the device."""
        return tuple(to_numpy(a) for a in arrays)

    def classes_to_host(self, estimator):
        if hasattr(estimator, "classes_"):
            estimator.classes_ = to_numpy(estimator.classes_)

    def classes_to_device(self, estimator):
        """Numeric `classes_` in this namespace and on this device, as
        scikit-learn's Array API classifiers keep them (strings stay NumPy)."""
        classes = getattr(estimator, "classes_", None)
        if classes is not None and classes.dtype.kind in "iufb":
            estimator.classes_ = self.move(classes)

    def check_parts(self, parts, loss):
        check_array_api_support(parts, loss)

    def validation_score(self, estimator):
        xp = self.xp
        return lambda Y, raw, weight: estimator._validation_score_xp(Y, raw, weight, xp)

    def fitted_arrays(self, arrays):
        return [[self.move(a) for a in layer] for layer in arrays]

    def ravel(self, a):
        return self.xp.reshape(a, (-1,))

    def network(self, host_net):
        """The host network's layers and (initial) parameters on the device."""
        params = self.move(host_net.params.copy())
        groups = [group for group, _ in host_net.groups]
        return _array_api.ArrayNetwork(host_net.layers, params, self.xp, groups)

    def host_rows(self, X, rows):
        indices = self.xp.asarray(rows, device=self.device)
        return self.to_host64(self.xp.take(X, indices, axis=0))

    def batches(self, X, Y, sample_weight, batch_size, dtype):
        return _array_api.ArrayBatches(
            X, Y, sample_weight, batch_size, self.xp, self.device
        )

    def device_data(self, data, dtype):
        """``(X, Y, sample_weight)`` (host targets and weights) on the device,
        in the network's dtype."""
        if data is None:
            return None
        return tuple(self.move(a, dtype) for a in data)

    def copy(self, a):
        return copy_array(a)

    def assign(self, target, source):
        target[...] = source

    def all_finite(self, a):
        return _array_api.all_finite(a, self.xp)

    def mean(self, a):
        return float(self.xp.mean(a))

    def weight_sum(self, y, sample_weight):
        if sample_weight is None:
            return y.shape[0]
        return float(self.xp.sum(sample_weight))

    def targets(self, Y, dtype):
        return self.move(Y, dtype)

    def to_host64(self, a):
        return np.asarray(to_numpy(a), dtype=np.float64)

    def assign_host(self, target, values):
        target[...] = self.move(values, target.dtype)

    def to_float(self, value):
        return float(value)

    def check_finite_outputs(self, raw, epoch, where):
        if not self.all_finite(raw):
            raise _epoch.divergence_error(
                f"the network's outputs on {where} became non-finite", epoch
            )

    def predict_raw(self, X, layers, arrays):
        return _array_api.predict_raw(X, layers, arrays, self.xp)

    def continued_state(self, optimizer, params, stored):
        state = optimizer.init_xp(params, self.xp)
        if _same_layout(stored, state):
            for key, value in stored.items():
                is_array = hasattr(state[key], "shape")
                state[key] = copy_array(self.move(value)) if is_array else value
        return state


NUMPY = NumpyBackend()


def check_array_api_support(parts, loss):
    """Raise a TypeError naming each part that cannot train on Array API
    arrays other than NumPy's, and what it must implement."""
    needs = [
        (loss, "loss_xp(y, raw, xp) and gradient_xp(y, raw, xp)"),
        (
            loss.link,
            "inverse_xp(raw, xp) (and log_inverse_xp, complement_xp, "
            "log_complement_xp where they differ from the defaults)",
        ),
        (
            parts["optimizer"],
            "init_xp(params, xp) and update_xp(grad, state, params, lr, xp)",
        ),
    ]
    needs += [
        (activation, "forward_xp(z, xp) and derivative_xp(z, a, xp)")
        for activation in parts["activations"]
    ]
    needs += [
        (layer, "an Array API engine layer (input layers train on NumPy only)")
        for layer in parts["input_layers"]
    ]
    for part, methods in needs:
        if not getattr(part, "array_api_support", False):
            raise TypeError(
                f"{part!r} has no Array API support, which training on "
                "arrays of another library than NumPy (array_api_dispatch=True) "
                f"needs: give {type(part).__name__} array_api_support = True "
                f"and implement {methods}, or train on NumPy arrays."
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
            backend = ArrayApiBackend(*_foreign_namespace(like))

        def convert(a):
            with config_context(array_api_dispatch=True):
                return backend.move(a)

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
