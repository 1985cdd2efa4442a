"""The fitted model's arrays, described once.

A network's parameters are one flat vector; each layer's arrays are views of
it, in the order of the layer's `parameters`. The estimator exposes them as
fitted attributes:

- ``input_params_``: one list of arrays per input layer (`skprop.layers`);
- ``adapters_``: with several members (`skprop._ensemble`), their
  multiplicative adapters, one array ``(n_members, n_inputs)``; else empty;
- ``coefs_`` and ``intercepts_``: each dense layer's weights and biases
  (shared by the members; the output layer's hold one head per member);
- ``activation_params_``: one array per hidden layer with a parametric
  activation (its mixes), else None.

`build` makes the network a fit trains: fresh, or holding the fitted
arrays to continue. `expose` writes those attributes from a network,
`layer_arrays` reads them
back in the network's order (continuation, prediction, ONNX export), and
`WEIGHTS` names them (callbacks' snapshots, copies for scikit-learn's
callbacks). `input_layers_as_data` / `input_layers_from_data` save the input
layers as plain data and rebuild them (pickling, skops).
"""

import warnings

import numpy as np
from sklearn.base import clone

from skprop._ensemble import EnsembleInput, member_stack
from skprop._network import Network
from skprop._parts import init_factors, input_layers
from skprop._version import __version__


class InconsistentSkpropVersionWarning(UserWarning):
    """A model pickled by one skprop version is loaded by another."""


# Training rows that data-driven initialisation looks at: enough for stable
# standard deviations, few enough to cost less than an epoch.
_DATA_INIT_ROWS = 1000

# Every fitted attribute that holds weights, all views of the flat vector.
WEIGHTS = (
    "coefs_",
    "intercepts_",
    "input_params_",
    "activation_params_",
    "adapters_",
)


def build(estimator, X, Y, parts, loss, rng, first_pass, ops, dtype):
    """The network to train, on `ops`' backend: fresh (drawn on the host, as
    MLP draws it) on a first pass, else holding the fitted arrays. The
    estimator's weight attributes become views of it, and it keeps the
    parts the weights are trained with (predictions use them, whatever
    set_params does afterwards)."""
    estimator._fitted_activations = [clone(a) for a in parts["activations"]]
    estimator._fitted_link = clone(loss.link)
    fitted = None
    if not first_pass:
        front = _continued_input_layers(estimator, parts["input_layers"])
        _check_continuation(estimator, _units(front, X, Y, parts), parts["n_members"])
        fitted = layer_arrays(estimator)
    estimator._fitted_input_parts = [clone(part) for part in parts["input_layers"]]
    # What input layers and data-driven initialisation look at, on the host
    # (X itself on NumPy), moved there once.
    looks = first_pass and (parts["input_layers"] or estimator.init == "data")
    host = ops.host(X) if looks else None
    if first_pass:
        front = input_layers(parts["input_layers"], host)
    n_inputs = front[-1].n_units if front else X.shape[1]
    layers = front + member_stack(
        [n_inputs, *parts["hidden"], Y.shape[1]],
        parts["activations"],
        parts["dropout"],
        init_factors(estimator.activation, parts["activations"]),
        parts["n_members"],
    )
    net = Network.empty(layers, dtype, parts["groups"])
    if first_pass:
        net.initialize(rng)
        if estimator.init == "data":
            rows = rng.permutation(X.shape[0])[:_DATA_INIT_ROWS]
            net.initialize_from_data(host[np.sort(rows)], rng)
    net = net.on(ops, fitted)
    estimator._fitted_input_layers = front
    expose(estimator, net, len(front))
    return net


def _units(front, X, Y, parts):
    """Units per dense layer, input and output included."""
    n_inputs = front[-1].n_units if front else X.shape[1]
    return [n_inputs, *parts["hidden"], Y.shape[1]]


def _continued_input_layers(estimator, parts):
    """The fitted input layers, which warm_start / partial_fit keep (a
    new batch must not change which columns are embedded)."""
    fitted = getattr(estimator, "_fitted_input_parts", [])
    same = len(fitted) == len(parts) and all(
        type(a) is type(b) and a.get_params() == b.get_params()
        for a, b in zip(fitted, parts)
    )
    if not same:
        raise ValueError(
            f"The network was fitted with input_layers={fitted}, not "
            f"{parts}; use warm_start=False or a new estimator to change "
            "them."
        )
    return list(getattr(estimator, "_fitted_input_layers", []))


def _check_continuation(estimator, units, n_members):
    """warm_start / partial_fit must keep the network's shape (the input
    layers are the fitted ones: `_continued_input_layers`)."""
    previous = layer_units(estimator)
    if previous != units:
        raise ValueError(
            f"The network has layer sizes {previous}, but the data and "
            f"hidden_layer_sizes need {units}; use warm_start=False "
            "or a new estimator to change them."
        )
    if fitted_members(estimator) != n_members:
        raise ValueError(
            f"The network has {fitted_members(estimator)} member(s), not "
            f"n_members={n_members}; use warm_start=False or a new estimator "
            "to change them."
        )


def expose(estimator, net, n_input_layers):
    """Set the weight attributes of `estimator` to views of `net`'s arrays."""
    front, dense = net.arrays[:n_input_layers], net.arrays[n_input_layers:]
    # Several members: the adapters' layer comes first (`member_stack`).
    n_adapters = int(isinstance(net.layers[n_input_layers], EnsembleInput))
    estimator.input_params_ = front
    estimator.adapters_ = [arrays[0] for arrays in dense[:n_adapters]]
    dense = dense[n_adapters:]
    estimator.coefs_ = [arrays[0] for arrays in dense]
    estimator.intercepts_ = [arrays[1] for arrays in dense]
    estimator.activation_params_ = [
        arrays[2] if len(arrays) > 2 else None for arrays in dense[:-1]
    ]


def layer_arrays(estimator):
    """Each layer's fitted arrays, in the network's order and in the order
    of each layer's `parameters`: the inverse of `expose`."""
    # One mix array per hidden layer with a parametric activation (none in
    # models fitted before activation_params_ existed).
    mixes = getattr(estimator, "activation_params_", None) or [None] * len(
        estimator.coefs_
    )
    dense = [
        [coef, intercept] if mix is None else [coef, intercept, mix]
        for coef, intercept, mix in zip(
            estimator.coefs_, estimator.intercepts_, [*mixes, None]
        )
    ]
    adapters = [[scale] for scale in getattr(estimator, "adapters_", [])]
    return [*getattr(estimator, "input_params_", []), *adapters, *dense]


def layer_units(estimator):
    """Units per dense layer of one member of the fitted network, input and
    output included."""
    # The members' heads are (n_members, n_inputs, n_outputs).
    units = [estimator.coefs_[0].shape[-2]]
    return units + [b.shape[-1] for b in estimator.intercepts_]


def fitted_members(estimator):
    """The fitted network's number of members."""
    adapters = getattr(estimator, "adapters_", [])
    return adapters[0].shape[0] if adapters else 1


def layers(estimator):
    """The fitted network's layers (without their arrays)."""
    dense = member_stack(
        layer_units(estimator),
        estimator._fitted_activations,
        n_members=fitted_members(estimator),
    )
    return [*getattr(estimator, "_fitted_input_layers", []), *dense]


def input_layers_as_data(layers, parts):
    """The fitted input layers as dicts of their attributes, where each
    part names the engine class that rebuilds it (else the layer itself),
    so that formats trusting only known types (skops) see no engine class."""
    return [
        dict(vars(layer))
        if type(layer) is getattr(part, "_layer_type", None)
        else layer
        for layer, part in zip(layers, parts)
    ]


def input_layers_from_data(data, parts):
    """The inverse of `input_layers_as_data`."""
    return [
        _rebuilt(layer, part._layer_type) if isinstance(layer, dict) else layer
        for layer, part in zip(data, parts)
    ]


def _rebuilt(attributes, layer_type):
    layer = object.__new__(layer_type)
    vars(layer).update(attributes)
    return layer


def pickled(state, skipped_prefix):
    """An estimator's ``__dict__`` as pickled: the version that wrote it, and
    input layers as plain data; attributes starting with `skipped_prefix`
    (scikit-learn's callback bookkeeping) are left out."""
    for name in [n for n in state if n.startswith(skipped_prefix)]:
        state.pop(name)
    if "coefs_" in state:
        state["_skprop_version"] = __version__
    if "_fitted_input_layers" in state:
        state["_fitted_input_layers"] = input_layers_as_data(
            state["_fitted_input_layers"], state["_fitted_input_parts"]
        )
    return state


def unpickled(state, class_name):
    """The inverse of `pickled`, warning when another version wrote it."""
    saved_version = state.pop("_skprop_version", __version__)
    if saved_version != __version__:
        warnings.warn(
            f"Trying to unpickle {class_name} from skprop version "
            f"{saved_version} when using version {__version__}. This might "
            "lead to breaking code or invalid results. Use at your own risk.",
            InconsistentSkpropVersionWarning,
        )
    if "_fitted_input_layers" in state:
        state["_fitted_input_layers"] = input_layers_from_data(
            state["_fitted_input_layers"], state["_fitted_input_parts"]
        )
    return state
