"""The fitted model's arrays, described once.

A network's parameters are one flat vector; each layer's arrays are views of
it, in the order of the layer's `parameters`. The estimator exposes them as
fitted attributes:

- ``input_params_``: one list of arrays per input layer (`skprop.layers`);
- ``coefs_`` and ``intercepts_``: each dense layer's weights and biases;
- ``activation_params_``: one array per hidden layer with a parametric
  activation (its mixes), else None.

`expose` writes those attributes from a network, `layer_arrays` reads them
back in the network's order (continuation, prediction, ONNX export), and
`WEIGHTS` names them (callbacks' snapshots, copies for scikit-learn's
callbacks). `input_layers_as_data` / `input_layers_from_data` save the input
layers as plain data and rebuild them (pickling, skops).
"""

from skprop._layers import dense_stack

# Every fitted attribute that holds weights, all views of the flat vector.
WEIGHTS = ("coefs_", "intercepts_", "input_params_", "activation_params_")


def expose(estimator, net, n_input_layers):
    """Set the weight attributes of `estimator` to views of `net`'s arrays."""
    front, dense = net.arrays[:n_input_layers], net.arrays[n_input_layers:]
    estimator.input_params_ = front
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
    return [*getattr(estimator, "input_params_", []), *dense]


def layer_units(estimator):
    """Units per dense layer of the fitted network, input and output included."""
    return [estimator.coefs_[0].shape[0]] + [b.shape[0] for b in estimator.intercepts_]


def layers(estimator):
    """The fitted network's layers (without their arrays)."""
    dense = dense_stack(layer_units(estimator), estimator._fitted_activations)
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
