"""Export fitted skprop estimators to ONNX.

Importing this module registers a shape calculator and a converter for
`BackpropClassifier` and `BackpropRegressor` with skl2onnx, so that
``skl2onnx.to_onnx`` converts them, alone or as the last step of a pipeline.
`to_onnx` is a shortcut that returns class probabilities as a plain tensor.

Needs the ``onnx`` extra: ``pip install "skprop[onnx]"``. ``import skprop``
never imports this module.

The graph mirrors `predict`: per layer one ``MatMul`` and one ``Add``, then
the hidden activation, and the output link at the end. Every built-in hidden
activation (`skprop.activations`) and output link (identity, logistic,
softmax, exp) is supported; a user-defined activation or link raises
``NotImplementedError``, since its ONNX form cannot be inferred from NumPy
code. ELU, SELU, Mish and softplus are built from elementary operators, which
onnxruntime implements for float32 and float64 alike; ``Erf`` (for GELU) has
a float32 kernel only, so a float64 graph evaluates that one operator in
float32.

Examples
--------
>>> import numpy as np
>>> import onnxruntime as ort
>>> from sklearn.datasets import load_iris
>>> from skprop import BackpropClassifier
>>> from skprop.onnx import to_onnx
>>> X, y = load_iris(return_X_y=True)
>>> X = X.astype(np.float32)
>>> model = BackpropClassifier(optimizer="lbfgs", random_state=0).fit(X, y)
>>> session = ort.InferenceSession(to_onnx(model, X).SerializeToString())
>>> label, proba = session.run(None, {"X": X[:3]})
>>> label.tolist()
[0, 0, 0]
"""

import numpy as np
from sklearn.utils import check_array

try:
    import skl2onnx
    from onnx import TensorProto, helper
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
    from skl2onnx.common.utils import (
        check_input_and_output_numbers,
        check_input_and_output_types,
    )
except ImportError as exc:
    raise ImportError(
        'skprop.onnx needs onnx and skl2onnx: pip install "skprop[onnx]"'
    ) from exc

from skprop import activations as _activations
from skprop import layers as _layers_module
from skprop import losses as _losses
from skprop._classifier import _MULTILABEL, BackpropClassifier
from skprop._layers import Dense
from skprop._regressor import BackpropRegressor


def to_onnx(model, X_sample, *, target_opset=None):
    """Convert a fitted estimator to an ONNX model.

    Parameters
    ----------
    model : BackpropClassifier, BackpropRegressor or Pipeline
        A fitted skprop estimator, or a fitted pipeline of numeric steps
        that skl2onnx converts, ending in one.
    X_sample : array-like of shape (n_samples, n_features)
        Input data, used only for its dtype and number of features: the
        graph computes in float32 for float32 data, in float64 otherwise.
    target_opset : int, default=None
        ONNX opset of the graph; None takes the newest skl2onnx supports.

    Returns
    -------
    onnx_model : onnx.ModelProto
        One input ``"X"`` of shape ``(None, n_features)``. A classifier has
        the outputs ``"label"`` (as `predict`) and ``"probabilities"`` (as
        `predict_proba`, a tensor: no ZipMap); a regressor has one output,
        ``"variable"``, of shape ``(None, n_outputs)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_regression
    >>> from skprop import BackpropRegressor
    >>> from skprop.onnx import to_onnx
    >>> X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    >>> model = BackpropRegressor(max_iter=5).fit(X, y)
    >>> [out.name for out in to_onnx(model, X).graph.output]
    ['variable']
    """
    X_sample = check_array(X_sample, dtype=(np.float64, np.float32))
    return skl2onnx.to_onnx(
        model,
        X_sample[:1],
        target_opset=target_opset,
        options={BackpropClassifier: {"zipmap": False}},
    )


class _Graph:
    """Adds nodes and constants, with unique names, to a skl2onnx container."""

    def __init__(self, scope, container, input_type):
        self.scope = scope
        self.container = container
        self.dtype = (
            np.float32 if isinstance(input_type, FloatTensorType) else np.float64
        )

    def node(self, op_type, inputs, output=None, **attributes):
        """Add one node; return the name of its output."""
        if output is None:
            output = self.scope.get_unique_variable_name(op_type.lower())
        name = self.scope.get_unique_operator_name(op_type)
        self.container.add_node(op_type, inputs, output, name=name, **attributes)
        return output

    def constant(self, value):
        """Add a constant array (numbers or strings); return its name."""
        array = np.asarray(value)
        if array.dtype.kind in "UO":
            onnx_type = TensorProto.STRING
            content = [str(item).encode("utf-8") for item in array.ravel()]
        else:
            onnx_type = helper.np_dtype_to_tensor_dtype(array.dtype)
            content = array.ravel()
        name = self.scope.get_unique_variable_name("constant")
        self.container.add_initializer(name, onnx_type, list(array.shape), content)
        return name

    def scalar(self, value):
        """Add a constant of the graph's float dtype."""
        return self.constant(np.asarray(value, dtype=self.dtype))


# ----------------------------------------------------------------------
# Hidden activations, each as in skprop.activations
# ----------------------------------------------------------------------


def _identity(graph, z, activation):
    return z


def _elementwise(op_type):
    """Converter of an activation that is one ONNX operator."""

    def convert(graph, z, activation):
        return graph.node(op_type, [z])

    return convert


def _leaky_relu(graph, z, activation):
    # Not ONNX's LeakyRelu: its slope attribute is float32 even in float64 graphs.
    negative = graph.node("Mul", [z, graph.scalar(activation.negative_slope)])
    positive = graph.node("Greater", [z, graph.scalar(0.0)])
    return graph.node("Where", [positive, z, negative])


def _elu(graph, z, activation):
    exp_negative = graph.node("Exp", [graph.node("Min", [z, graph.scalar(0.0)])])
    negative = graph.node(
        "Mul",
        [
            graph.scalar(activation.alpha),
            graph.node("Sub", [exp_negative, graph.scalar(1.0)]),
        ],
    )
    positive = graph.node("Greater", [z, graph.scalar(0.0)])
    return graph.node("Where", [positive, z, negative])


def _gelu(graph, z, activation):
    scaled = graph.node("Div", [z, graph.scalar(np.sqrt(2.0))])
    if graph.dtype == np.float32:
        erf = graph.node("Erf", [scaled])
    else:
        # onnxruntime has no float64 Erf kernel.
        erf32 = graph.node("Erf", [graph.node("Cast", [scaled], to=TensorProto.FLOAT)])
        erf = graph.node("Cast", [erf32], to=TensorProto.DOUBLE)
    one_plus_erf = graph.node("Add", [graph.scalar(1.0), erf])
    cdf = graph.node("Mul", [graph.scalar(0.5), one_plus_erf])
    return graph.node("Mul", [z, cdf])


def _softplus(graph, z, activation):
    # max(z, 0) + log(1 + exp(-|z|)) is np.logaddexp(0, z) without overflow.
    exp_minus_abs = graph.node("Exp", [graph.node("Neg", [graph.node("Abs", [z])])])
    log_term = graph.node(
        "Log", [graph.node("Add", [graph.scalar(1.0), exp_minus_abs])]
    )
    return graph.node("Add", [graph.node("Relu", [z]), log_term])


def _selu(graph, z, activation):
    # Not ONNX's Selu: its attributes are float32 even in float64 graphs.
    elu = _elu(graph, z, _activations.ELU(alpha=activation.alpha))
    return graph.node("Mul", [graph.scalar(activation.scale), elu])


def _mish(graph, z, activation):
    return graph.node("Mul", [z, graph.node("Tanh", [_softplus(graph, z, None)])])


_ACTIVATIONS = {
    _activations.Identity: _identity,
    _activations.Logistic: _elementwise("Sigmoid"),
    _activations.Tanh: _elementwise("Tanh"),
    _activations.ReLU: _elementwise("Relu"),
    _activations.LeakyReLU: _leaky_relu,
    _activations.ELU: _elu,
    _activations.GELU: _gelu,
    _activations.Softplus: _softplus,
    _activations.SELU: _selu,
    _activations.Mish: _mish,
}


def _raw_output(graph, model, X):
    """The network's raw output (before the link) for input `X`, layer by
    layer from each layer's own description."""
    layers, arrays = model._fitted_layers(), model._fitted_arrays()
    a = X
    for layer, layer_arrays in zip(layers, arrays):
        a = _layer(graph, layer, layer_arrays, a)
    return a


def _layer(graph, layer, arrays, a):
    """One layer's ONNX nodes: a dense layer, or an input layer."""
    if type(layer) in _INPUT_LAYERS:
        return _INPUT_LAYERS[type(layer)](graph, layer, arrays, a)
    if not isinstance(layer, Dense):
        raise NotImplementedError(
            f"No ONNX conversion for the layer {type(layer).__name__}."
        )
    activation = layer.activation
    parametric = isinstance(activation, _activations.Parametric)
    base = activation.base if parametric else activation
    if base is not None and type(base) not in _ACTIVATIONS:
        raise NotImplementedError(
            f"No ONNX conversion for the activation {type(base).__name__}; "
            f"supported: {sorted(cls.__name__ for cls in _ACTIVATIONS)}."
        )
    coef, intercept = arrays[:2]
    product = graph.node("MatMul", [a, graph.constant(coef.astype(graph.dtype))])
    z = graph.node("Add", [product, graph.constant(intercept.astype(graph.dtype))])
    if base is None:
        return z
    f = _ACTIVATIONS[type(base)](graph, z, base)
    if not parametric:
        return f
    # z + mix * (f(z) - z), as skprop._layers.ParametricDense.
    mix = graph.constant(arrays[2].astype(graph.dtype))
    blend = graph.node("Mul", [mix, graph.node("Sub", [f, z])])
    return graph.node("Add", [z, blend])


def _scale(graph, layer, arrays, a):
    return graph.node("Mul", [a, graph.constant(arrays[0].astype(graph.dtype))])


def _periodic(graph, layer, arrays, a):
    """`skprop.layers.PeriodicEmbedding`'s output ``[X, h]``, as in
    `skprop.layers._Periodic`, with rows first throughout."""
    frequencies, phases, coef, intercept = (x.astype(graph.dtype) for x in arrays)
    n_embedded, n_outputs = intercept.shape
    columns = graph.node("Gather", [a, graph.constant(layer.columns)], axis=1)
    x = graph.node("Reshape", [columns, graph.constant(np.array([-1, n_embedded, 1]))])
    u = graph.node("Mul", [x, graph.constant(2 * np.pi * frequencies)])
    u = graph.node("Add", [u, graph.constant(phases)])
    periodic = graph.node("Transpose", [graph.node("Cos", [u])], perm=[1, 0, 2])
    h = graph.node("MatMul", [periodic, graph.constant(coef)])
    h = graph.node("Add", [h, graph.constant(intercept[:, None, :])])
    h = graph.node("Transpose", [h], perm=[1, 0, 2])
    shape = graph.constant(np.array([-1, n_embedded * n_outputs]))
    return graph.node("Concat", [a, graph.node("Reshape", [h, shape])], axis=1)


_INPUT_LAYERS = {_layers_module._Scale: _scale, _layers_module._Periodic: _periodic}


def _input_graph(scope, operator, container):
    """The graph helper and the model's raw output for the operator's input."""
    graph = _Graph(scope, container, operator.inputs[0].type)
    raw = _raw_output(graph, operator.raw_operator, operator.inputs[0].full_name)
    return graph, raw


# ----------------------------------------------------------------------
# Classifier
# ----------------------------------------------------------------------


def _label_array(classes):
    """`classes_` as ONNX label values: int64 or strings."""
    if classes.dtype.kind in "iub":
        return classes.astype(np.int64)
    if classes.dtype.kind == "f" and np.all(classes == np.round(classes)):
        # skl2onnx likewise turns integral float labels into int64.
        return classes.astype(np.int64)
    if all(isinstance(label, str) for label in classes):
        return classes.astype(str)
    raise NotImplementedError(
        f"ONNX labels must be integers or strings; classes_ is {classes!r}."
    )


def _binary_outputs(graph, raw, classes, label, proba):
    positive = graph.node("Sigmoid", [raw])
    negative = graph.node("Sigmoid", [graph.node("Neg", [raw])])
    graph.node("Concat", [negative, positive], proba, axis=1)
    is_positive = graph.node("Greater", [positive, graph.scalar(0.5)])
    index = graph.node("Cast", [is_positive], to=TensorProto.INT64)
    flat_index = graph.node("Reshape", [index, graph.constant(np.array([-1]))])
    graph.node("Gather", [graph.constant(classes), flat_index], label)


def _multiclass_outputs(graph, raw, classes, label, proba):
    graph.node("Softmax", [raw], proba, axis=1)
    index = graph.node("ArgMax", [proba], axis=1, keepdims=0)
    graph.node("Gather", [graph.constant(classes), index], label)


def _multilabel_outputs(graph, raw, classes, label, proba):
    graph.node("Sigmoid", [raw], proba)
    is_positive = graph.node("Greater", [proba, graph.scalar(0.5)])
    graph.node("Cast", [is_positive], label, to=TensorProto.INT64)


_CLASSIFIER_OUTPUTS = {
    ("binary", _losses.LogitLink): _binary_outputs,
    ("multiclass", _losses.SoftmaxLink): _multiclass_outputs,
    (_MULTILABEL, _losses.LogitLink): _multilabel_outputs,
}


def _classifier_output_converter(model):
    """The function that adds `model`'s label and probabilities."""
    link = type(model._fitted_link)
    key = (model._target_type, link)
    if key not in _CLASSIFIER_OUTPUTS:
        raise NotImplementedError(
            f"No ONNX conversion for {model._target_type} targets with the "
            f"output link {link.__name__}."
        )
    return _CLASSIFIER_OUTPUTS[key]


def _classifier_shapes(operator):
    """skl2onnx shape calculator of `BackpropClassifier`."""
    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=2)
    check_input_and_output_types(
        operator, good_input_types=[FloatTensorType, DoubleTensorType]
    )
    model = operator.raw_operator
    n_samples = operator.inputs[0].get_first_dimension()
    n_classes = len(model.classes_)
    labels = _label_array(model.classes_)
    label_type = StringTensorType if labels.dtype.kind == "U" else Int64TensorType
    label_shape = (
        [n_samples, n_classes] if model._target_type == _MULTILABEL else [n_samples]
    )
    operator.outputs[0].type = label_type(shape=label_shape)
    operator.outputs[1].type = type(operator.inputs[0].type)([n_samples, n_classes])


def _convert_classifier(scope, operator, container):
    """skl2onnx converter of `BackpropClassifier`."""
    model = operator.raw_operator
    add_outputs = _classifier_output_converter(model)
    graph, raw = _input_graph(scope, operator, container)
    label, proba = (output.full_name for output in operator.outputs)
    add_outputs(graph, raw, _label_array(model.classes_), label, proba)


# ----------------------------------------------------------------------
# Regressor
# ----------------------------------------------------------------------


def _identity_link(graph, raw, prediction):
    graph.node("Identity", [raw], prediction)


def _log_link(graph, raw, prediction):
    # As skprop.losses.safe_exp: clip so that exp stays finite.
    limit = graph.scalar(np.log(np.finfo(graph.dtype).max) - 1.0)
    graph.node("Exp", [graph.node("Min", [raw, limit])], prediction)


_REGRESSOR_LINKS = {
    _losses.IdentityLink: _identity_link,
    _losses.LogLink: _log_link,
}


def _regressor_shapes(operator):
    """skl2onnx shape calculator of `BackpropRegressor`."""
    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=1)
    check_input_and_output_types(
        operator, good_input_types=[FloatTensorType, DoubleTensorType]
    )
    n_samples = operator.inputs[0].get_first_dimension()
    n_outputs = operator.raw_operator.n_outputs_
    operator.outputs[0].type = type(operator.inputs[0].type)([n_samples, n_outputs])


def _convert_regressor(scope, operator, container):
    """skl2onnx converter of `BackpropRegressor`."""
    link = type(operator.raw_operator._fitted_link)
    if link not in _REGRESSOR_LINKS:
        raise NotImplementedError(
            f"No ONNX conversion for the output link {link.__name__}."
        )
    graph, raw = _input_graph(scope, operator, container)
    _REGRESSOR_LINKS[link](graph, raw, operator.outputs[0].full_name)


skl2onnx.update_registered_converter(
    BackpropClassifier,
    "SkpropBackpropClassifier",
    _classifier_shapes,
    _convert_classifier,
    options={
        "zipmap": [True, False, "columns"],
        "nocl": [False],
        "output_class_labels": [False, True],
    },
)
skl2onnx.update_registered_converter(
    BackpropRegressor, "SkpropBackpropRegressor", _regressor_shapes, _convert_regressor
)
