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
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
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
from skprop._model import fitted_members
from skprop._model import layer_arrays as fitted_arrays
from skprop._model import layers as fitted_layers
from skprop._regressor import BackpropRegressor
from skprop.preprocessing import (
    AsFloat32,
    ConstantImputer,
    MissingAsNaN,
    RobustSmoothScaler,
    TabularPreprocessor,
    TargetScaler,
)


def to_onnx(model, X_sample, *, target_opset=None):
    """Convert a fitted estimator to an ONNX model.

    Parameters
    ----------
    model : BackpropClassifier, BackpropRegressor or Pipeline
        A fitted skprop estimator, a fitted pipeline of numeric steps that
        skl2onnx converts, ending in one, or a fitted tabular recipe
        (`skprop.tabular`).
    X_sample : array-like of shape (n_samples, n_features)
        Input data, used only for its dtype and number of features: the
        graph computes in float32 for float32 data, in float64 otherwise.
        A recipe's graph takes its inputs from the fitted recipe instead:
        one input per column of the frame it was fitted on (named as the
        column; float64 numbers, NaN where missing, or strings, the empty
        string where missing; see `onnx_inputs`), or one input ``"X"`` for
        an array; it computes as the recipe does (float64 preprocessing,
        a float32 network).
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
    options = {BackpropClassifier: {"zipmap": False}}
    preprocessor = _tabular_preprocessor(model)
    if preprocessor is not None:
        return skl2onnx.convert_sklearn(
            model,
            initial_types=_tabular_input_types(preprocessor),
            target_opset=target_opset,
            options=options,
        )
    X_sample = check_array(X_sample, dtype=(np.float64, np.float32))
    return skl2onnx.to_onnx(
        model, X_sample[:1], target_opset=target_opset, options=options
    )


def onnx_inputs(onnx_model, X):
    """The input feed of a graph exported from a tabular recipe.

    Parameters
    ----------
    onnx_model : onnx.ModelProto
        A graph made by `to_onnx` from a fitted `skprop.tabular` recipe.
    X : DataFrame or array-like of shape (n_samples, n_features)
        Data as the recipe takes it, missing values included.

    Returns
    -------
    feed : dict
        For each graph input, its values: numbers as float64 (NaN where
        missing), categories as strings (`MISSING_STRING`, the empty
        string, where missing); of shape (n_samples, 1) for one input per
        column, (n_samples, n_features) for the single input ``"X"``.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> import pandas as pd
    >>> from skprop.onnx import onnx_inputs, to_onnx
    >>> from skprop.tabular import make_classifier
    >>> X = pd.DataFrame({"size": [1.0, np.nan, 3.0, 4.0] * 5,
    ...                   "colour": ["red", None, "blue", "red"] * 5})
    >>> model = make_classifier(net__max_iter=2).fit(X, [0, 1] * 10)
    >>> onnx_model = to_onnx(model, X)
    >>> session = ort.InferenceSession(onnx_model.SerializeToString())
    >>> label, proba = session.run(None, onnx_inputs(onnx_model, X))
    >>> bool(np.allclose(proba, model.predict_proba(X), atol=1e-5))
    True
    """
    feed = {}
    for graph_input in onnx_model.graph.input:
        values, missing = _column_values(X, graph_input.name)
        if graph_input.type.tensor_type.elem_type == TensorProto.STRING:
            strings = np.vectorize(str, otypes=[object])(values)
            feed[graph_input.name] = np.where(missing, MISSING_STRING, strings)
        else:
            numbers = np.where(missing, np.nan, values).astype(np.float64)
            feed[graph_input.name] = numbers
    return feed


def _column_values(X, name):
    """The values of input `name` (a column, or all of an array for "X") as
    a 2-D object array, and where they are missing."""
    if hasattr(X, "iloc"):
        column = X[name]
        values, missing = column.to_numpy(dtype=object), column.isna().to_numpy()
    elif type(X).__module__.startswith("polars"):
        column = X[name]
        values = np.asarray(column.to_list(), dtype=object)
        missing = column.is_null().to_numpy() | np.vectorize(_is_nan)(values)
    else:
        values = np.asarray(X, dtype=object)
        missing = np.vectorize(_is_nan, otypes=[bool])(values)
    return values.reshape(len(values), -1), missing.reshape(len(values), -1)


def _is_nan(value):
    return value is None or (isinstance(value, float) and np.isnan(value))


def _tabular_preprocessor(model):
    """The fitted `TabularPreprocessor` that starts `model`, or None."""
    if isinstance(model, Pipeline) and isinstance(model[0], TabularPreprocessor):
        return model[0]
    return None


def _tabular_input_types(preprocessor):
    """The graph inputs of a recipe: one per column of a frame, numbers as
    float64 and categories as strings, or one input "X" for an array."""
    kinds = {}
    for kind, _, columns in preprocessor.column_transformer_.transformers_:
        if kind not in ("num", "cat"):
            raise NotImplementedError(
                f"ONNX export covers numeric and categorical columns, not the "
                f"{kind!r} branch (columns {list(columns)})."
            )
        kinds.update(dict.fromkeys(columns, kind))
    types = {"num": DoubleTensorType, "cat": StringTensorType}
    if not hasattr(preprocessor, "feature_names_in_"):
        if len(set(kinds.values())) > 1:
            raise NotImplementedError(
                "ONNX export of the recipe needs named columns when numeric and "
                "categorical ones are mixed (one graph input per column): give "
                "the frame string column names, e.g. X.columns = "
                "X.columns.astype(str)."
            )
        (kind,) = set(kinds.values())
        return [("X", types[kind]([None, preprocessor.n_features_in_]))]
    return [
        (name, types[kinds[name]]([None, 1])) for name in preprocessor.feature_names_in_
    ]


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
    layers, arrays = fitted_layers(model), fitted_arrays(model)
    a = X
    for layer, layer_arrays in zip(layers, arrays):
        a = _layer(graph, layer, layer_arrays, a)
    return a


def _layer(graph, layer, arrays, a):
    """One layer's ONNX nodes: a dense layer, or an input layer."""
    if type(layer) in _INPUT_LAYERS:
        return _INPUT_LAYERS[type(layer)](graph, layer, arrays, a)
    if isinstance(layer, _layers_module._Categorical):
        raise NotImplementedError(
            "No ONNX conversion for skprop.layers.CategoricalEmbedding yet: "
            "export a model without it (one-hot encode its columns instead)."
        )
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
    if n_embedded == 0:
        # No column to embed (all binary, say): the output is the input.
        return a
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


def _check_one_member(model):
    """Raise for a network of several members, which has no ONNX form yet."""
    n_members = fitted_members(model)
    if n_members > 1:
        raise NotImplementedError(
            f"No ONNX conversion for a network of {n_members} members "
            "(n_members > 1) yet: export a model with n_members=1."
        )


def _convert_classifier(scope, operator, container):
    """skl2onnx converter of `BackpropClassifier`."""
    model = operator.raw_operator
    _check_one_member(model)
    add_outputs = _classifier_output_converter(model)
    graph, raw = _input_graph(scope, operator, container)
    label, proba = (output.full_name for output in operator.outputs)
    add_outputs(graph, raw, _label_array(model.classes_), label, proba)


# ----------------------------------------------------------------------
# Regressor
# ----------------------------------------------------------------------


def _link_output(graph, model, raw, prediction):
    """Add `model`'s output link from `raw` to the variable `prediction`."""
    link = type(model._fitted_link)
    if link not in _REGRESSOR_LINKS:
        raise NotImplementedError(
            f"No ONNX conversion for the output link {link.__name__}."
        )
    _REGRESSOR_LINKS[link](graph, raw, prediction)


def _identity_link(graph, raw, prediction):
    graph.node("Identity", [raw], prediction)


def _log_link(graph, raw, prediction):
    # As skprop.losses._safe_exp: clip so that exp stays finite.
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
    _check_one_member(operator.raw_operator)
    graph, raw = _input_graph(scope, operator, container)
    _link_output(graph, operator.raw_operator, raw, operator.outputs[0].full_name)


# ----------------------------------------------------------------------
# The tabular recipe's preprocessing and target scaling
# ----------------------------------------------------------------------

# What a missing categorical value is in a string input: pandas' missing
# values have no ONNX form.
MISSING_STRING = ""


def _same_shape(operator):
    """skl2onnx shape calculator of a one-to-one float transformer."""
    input_type = operator.inputs[0].type
    operator.outputs[0].type = type(input_type)(list(input_type.shape))


def _robust_smooth_scale(graph, x, scaler):
    """`RobustSmoothScaler.transform` of `x`."""
    centred = graph.node("Sub", [x, graph.constant(scaler.center_.astype(graph.dtype))])
    scaled = graph.node(
        "Div", [centred, graph.constant(scaler.scale_.astype(graph.dtype))]
    )
    if scaler.clip is None:
        return scaled
    relative = graph.node("Div", [scaled, graph.scalar(scaler.clip)])
    squared = graph.node("Mul", [relative, relative])
    norm = graph.node("Sqrt", [graph.node("Add", [graph.scalar(1.0), squared])])
    return graph.node(
        "Mul", [graph.scalar(scaler.clip), graph.node("Div", [relative, norm])]
    )


def _convert_robust_smooth_scaler(scope, operator, container):
    """skl2onnx converter of `RobustSmoothScaler`."""
    graph = _Graph(scope, container, operator.inputs[0].type)
    scaled = _robust_smooth_scale(
        graph, operator.inputs[0].full_name, operator.raw_operator
    )
    graph.node("Identity", [scaled], operator.outputs[0].full_name)


def _convert_target_scaler(scope, operator, container):
    """skl2onnx converter of `TargetScaler` (its `transform`)."""
    graph = _Graph(scope, container, operator.inputs[0].type)
    scaler = operator.raw_operator
    centred = graph.node(
        "Sub",
        [
            operator.inputs[0].full_name,
            graph.constant(scaler.mean_.astype(graph.dtype)),
        ],
    )
    graph.node(
        "Div",
        [centred, graph.constant(scaler.scale_.astype(graph.dtype))],
        operator.outputs[0].full_name,
    )


def _impute(graph, x, imputer):
    """`ConstantImputer.transform` of `x`."""
    missing = graph.node("IsNaN", [x])
    filled = graph.node("Where", [missing, graph.scalar(imputer.fill_value), x])
    kept = graph.node("Gather", [filled, graph.constant(imputer.observed_)], axis=1)
    if not len(imputer.indicator_features_):
        return kept
    flags = graph.node(
        "Gather", [missing, graph.constant(imputer.indicator_features_)], axis=1
    )
    indicators = graph.node("Cast", [flags], to=_tensor_type(graph.dtype))
    return graph.node("Concat", [kept, indicators], axis=1)


def _tensor_type(dtype):
    return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


def _numeric_columns(graph, branch, columns):
    """The numeric branch: `RobustSmoothScaler`, then `ConstantImputer`."""
    steps = [type(step) for _, step in getattr(branch, "steps", [])]
    if steps != [RobustSmoothScaler, ConstantImputer]:
        raise NotImplementedError(
            "ONNX export covers the numeric branch RobustSmoothScaler, "
            f"ConstantImputer; this one is {branch!r}."
        )
    x = graph.node("Concat", columns, axis=1) if len(columns) > 1 else columns[0]
    x = graph.node("Cast", [x], to=_tensor_type(graph.dtype))
    return _impute(graph, _robust_smooth_scale(graph, x, branch[0]), branch[1])


def _onehot_codes(onehot, index):
    """Each input string of column `index` and its one-hot position; the
    position of anything else (-1: no column)."""
    categories = list(onehot.categories_[index])
    # An encoder without a cap has no infrequent categories at all.
    infrequent = (
        getattr(onehot, "_infrequent_enabled", False)
        and (onehot.infrequent_categories_[index])
    )
    infrequent = [] if infrequent is None or infrequent is False else list(infrequent)
    frequent = [c for c in categories if not any(c is i or c == i for i in infrequent)]
    other = len(frequent) if infrequent else -1
    strings = [_as_string(c) for c in [*frequent, *infrequent]]
    if len(set(strings)) < len(strings):
        raise NotImplementedError(
            f"ONNX export carries a missing category as the empty string "
            f"{MISSING_STRING!r}, which column {index} of the categorical "
            f"branch also has as a category of its own (or two categories "
            f"print alike): rename it before fitting, e.g. X[col].replace('', "
            f"'(empty)')."
        )
    codes = {_as_string(c): position for position, c in enumerate(frequent)}
    codes.update({_as_string(c): other for c in infrequent})
    return codes, other


def _as_string(value):
    """A category as the ONNX graph's string inputs carry it."""
    missing = value is None or (isinstance(value, float) and np.isnan(value))
    return MISSING_STRING if missing else str(value)


def _categorical_columns(graph, branch, columns):
    """The categorical branch: `MissingAsNaN`, then one-hot encoding."""
    steps = [type(step) for _, step in getattr(branch, "steps", [])]
    onehot = branch[-1] if steps == [MissingAsNaN, OneHotEncoder] else None
    if onehot is None or onehot.drop is not None:
        raise NotImplementedError(
            "ONNX export covers the categorical branch MissingAsNaN, "
            f"OneHotEncoder(drop=None); this one is {branch!r}."
        )
    blocks = []
    for index, column in enumerate(columns):
        codes, other = _onehot_codes(onehot, index)
        code = graph.node(
            "LabelEncoder",
            [column],
            keys_strings=list(codes),
            values_int64s=list(codes.values()),
            default_int64=other,
            op_domain="ai.onnx.ml",
            op_version=2,
        )
        n_columns = len(set(codes.values()) - {-1})
        hot = graph.node("Equal", [code, graph.constant(np.arange(n_columns))])
        blocks.append(graph.node("Cast", [hot], to=_tensor_type(graph.dtype)))
    return graph.node("Concat", blocks, axis=1) if len(blocks) > 1 else blocks[0]


_BRANCHES = {"num": _numeric_columns, "cat": _categorical_columns}


def _column_getter(graph, inputs, model):
    """A function from a column (name or position) to a (n, 1) tensor."""
    if not hasattr(model, "feature_names_in_"):
        # An array: one input "X" of every column.
        (full,) = inputs
        return lambda position: graph.node(
            "Gather", [full.full_name, graph.constant(np.array([position]))], axis=1
        )
    by_name = {variable.raw_name: variable.full_name for variable in inputs}
    return lambda name: by_name[name]


def _preprocessor_shapes(operator):
    """skl2onnx shape calculator of `TabularPreprocessor`: float64 features."""
    n_samples = operator.inputs[0].get_first_dimension()
    n_features = len(operator.raw_operator.get_feature_names_out())
    operator.outputs[0].type = DoubleTensorType([n_samples, n_features])


def _convert_preprocessor(scope, operator, container):
    """skl2onnx converter of `TabularPreprocessor`."""
    graph = _Graph(scope, container, DoubleTensorType())
    model = operator.raw_operator
    column = _column_getter(graph, operator.inputs, model)
    blocks = []
    for kind, branch, columns in model.column_transformer_.transformers_:
        if kind not in _BRANCHES:
            raise NotImplementedError(
                f"ONNX export covers numeric and categorical columns, not the "
                f"{kind!r} branch (columns {list(columns)})."
            )
        blocks.append(_BRANCHES[kind](graph, branch, [column(c) for c in columns]))
    graph.node("Concat", blocks, operator.outputs[0].full_name, axis=1)


def _float32_shapes(operator):
    """skl2onnx shape calculator of `AsFloat32`."""
    operator.outputs[0].type = FloatTensorType(list(operator.inputs[0].type.shape))


def _convert_float32(scope, operator, container):
    """skl2onnx converter of `AsFloat32`."""
    graph = _Graph(scope, container, FloatTensorType())
    graph.node(
        "Cast",
        [operator.inputs[0].full_name],
        operator.outputs[0].full_name,
        to=TensorProto.FLOAT,
    )


def _target_regressor_shapes(operator):
    """skl2onnx shape calculator of the recipe's TransformedTargetRegressor:
    float64 predictions, as its `predict`."""
    n_samples = operator.inputs[0].get_first_dimension()
    n_outputs = operator.raw_operator.regressor_.n_outputs_
    operator.outputs[0].type = DoubleTensorType([n_samples, n_outputs])


def _convert_target_regressor(scope, operator, container):
    """skl2onnx converter of a TransformedTargetRegressor of a
    `BackpropRegressor` and a `TargetScaler`."""
    model = operator.raw_operator
    regressor, scaler = model.regressor_, model.transformer_
    if not isinstance(regressor, BackpropRegressor) or not isinstance(
        scaler, TargetScaler
    ):
        raise NotImplementedError(
            "ONNX export covers a TransformedTargetRegressor of a "
            "BackpropRegressor with a TargetScaler."
        )
    graph = _Graph(scope, container, operator.inputs[0].type)
    raw = _raw_output(graph, regressor, operator.inputs[0].full_name)
    prediction = scope.get_unique_variable_name("prediction")
    _link_output(graph, regressor, raw, prediction)
    graph = _Graph(scope, container, DoubleTensorType())
    value = graph.node("Cast", [prediction], to=TensorProto.DOUBLE)
    value = graph.node("Mul", [value, graph.constant(scaler.scale_)])
    value = graph.node("Add", [value, graph.constant(scaler.mean_)])
    if scaler.clip:
        value = graph.node("Max", [value, graph.constant(scaler.min_)])
        value = graph.node("Min", [value, graph.constant(scaler.max_)])
    graph.node("Identity", [value], operator.outputs[0].full_name)


for _model, _alias, _shapes, _convert in [
    (
        RobustSmoothScaler,
        "SkpropRobustSmoothScaler",
        _same_shape,
        _convert_robust_smooth_scaler,
    ),
    (TargetScaler, "SkpropTargetScaler", _same_shape, _convert_target_scaler),
    (
        TabularPreprocessor,
        "SkpropTabularPreprocessor",
        _preprocessor_shapes,
        _convert_preprocessor,
    ),
    (AsFloat32, "SkpropAsFloat32", _float32_shapes, _convert_float32),
    (
        TransformedTargetRegressor,
        "SkpropTransformedTargetRegressor",
        _target_regressor_shapes,
        _convert_target_regressor,
    ),
]:
    skl2onnx.update_registered_converter(_model, _alias, _shapes, _convert)


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
