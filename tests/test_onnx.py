"""ONNX export: onnxruntime reproduces predict / predict_proba."""

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import (
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skprop import BackpropClassifier, BackpropRegressor
from skprop.activations import Activation, Parametric, ReLU

ort = pytest.importorskip("onnxruntime", reason="ONNX export needs the onnx extra")
skl2onnx = pytest.importorskip("skl2onnx", reason="ONNX export needs the onnx extra")
skprop_onnx = pytest.importorskip("skprop.onnx")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ACTIVATIONS = [
    "identity",
    "logistic",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "gelu",
    "softplus",
    "selu",
    "mish",
]
TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}


def run_onnx(onnx_model, X):
    """Outputs of `onnx_model` for `X`, by onnxruntime."""
    session = ort.InferenceSession(
        onnx_model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {"X": X})


def runtime_has_double_cos():
    """Whether onnxruntime has a float64 Cos kernel (older releases, the
    newest for Python 3.10 among them, have only float32)."""
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Cos", ["x"], ["y"])],
        "cos",
        [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [1])],
        [helper.make_tensor_value_info("y", TensorProto.DOUBLE, [1])],
    )
    # The opset skprop exports with: the newest skl2onnx supports.
    from skl2onnx import get_latest_tested_opset_version

    opset = helper.make_opsetid("", get_latest_tested_opset_version())
    model = helper.make_model(graph, opset_imports=[opset], ir_version=10)
    try:
        run_onnx_feed(model, {"x": np.zeros(1)})
    except Exception as error:  # onnxruntime's NotImplemented
        return "Cos" not in str(error)
    return True


def run_onnx_feed(onnx_model, feed):
    session = ort.InferenceSession(
        onnx_model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, feed)


def classification_data(n_classes=3, dtype=np.float32, seed=0):
    X, y = make_classification(
        n_samples=200,
        n_features=6,
        n_informative=4,
        n_classes=n_classes,
        random_state=seed,
    )
    return X.astype(dtype), y


def fit_classifier(X, y, **params):
    settings = {"hidden_layer_sizes": (8, 6), "max_iter": 30, "random_state": 0}
    return BackpropClassifier(**{**settings, **params}).fit(X, y)


def assert_classifier_matches(model, X):
    label, proba = run_onnx(skprop_onnx.to_onnx(model, X), X)
    assert proba.dtype == X.dtype
    assert_allclose(proba, model.predict_proba(X), **TOLERANCE)
    assert_array_equal(label, model.predict(X))


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("labels", ["int", "str"])
def test_classifier_matches(n_classes, labels):
    X, y = classification_data(n_classes)
    if labels == "str":
        y = np.array(["cat", "dog", "eel"])[y]
    else:
        y = 10 * y - 5
    assert_classifier_matches(fit_classifier(X, y), X)


def test_multilabel_classifier_matches():
    X, Y = make_multilabel_classification(
        n_samples=200, n_features=6, n_classes=4, random_state=0
    )
    X = X.astype(np.float32)
    model = fit_classifier(X, Y)
    label, proba = run_onnx(skprop_onnx.to_onnx(model, X), X)
    assert label.shape == Y.shape
    assert_allclose(proba, model.predict_proba(X), **TOLERANCE)
    assert_array_equal(label, model.predict(X))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_each_activation_matches(activation):
    X, y = classification_data()
    assert_classifier_matches(fit_classifier(X, y, activation=activation), X)


def test_activation_per_layer_and_no_hidden_layer():
    X, y = classification_data()
    assert_classifier_matches(fit_classifier(X, y, activation=["elu", "tanh"]), X)
    assert_classifier_matches(fit_classifier(X, y, hidden_layer_sizes=()), X)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_float64_graph_matches(activation):
    X, y = classification_data(dtype=np.float64)
    model = fit_classifier(X, y, activation=activation)
    onnx_model = skprop_onnx.to_onnx(model, X)
    assert onnx_model.graph.input[0].type.tensor_type.elem_type == 11  # DOUBLE
    label, proba = run_onnx(onnx_model, X)
    # GELU's Erf runs in float32 (onnxruntime has no float64 kernel).
    tolerance = 1e-6 if activation == "gelu" else 1e-12
    assert_allclose(proba, model.predict_proba(X), rtol=tolerance, atol=tolerance)
    assert_array_equal(label, model.predict(X))


@pytest.mark.parametrize("n_targets", [1, 3])
def test_regressor_matches(n_targets):
    X, y = make_regression(
        n_samples=200, n_features=6, n_targets=n_targets, noise=1.0, random_state=0
    )
    X = X.astype(np.float32)
    model = BackpropRegressor((8, 6), max_iter=30, random_state=0).fit(X, y / 50)
    onnx_model = skprop_onnx.to_onnx(model, X)
    assert onnx_model.graph.input[0].type.tensor_type.elem_type == 1  # FLOAT
    (prediction,) = run_onnx(onnx_model, X)
    assert prediction.shape == (len(X), n_targets)
    assert_allclose(prediction, model.predict(X).reshape(len(X), -1), **TOLERANCE)


def test_poisson_regressor_matches():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4)).astype(np.float32)
    y = rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1]))
    model = BackpropRegressor((8,), loss="poisson", max_iter=30, random_state=0).fit(
        X, y
    )
    assert model.out_activation_ == "exp"
    (prediction,) = run_onnx(skprop_onnx.to_onnx(model, X), X)
    assert_allclose(prediction[:, 0], model.predict(X), **TOLERANCE)


def test_matches_predict_after_set_params():
    X, y = classification_data()
    model = fit_classifier(X, y, activation="relu")
    model.set_params(activation="tanh")
    assert_classifier_matches(model, X)
    regressor = BackpropRegressor((8,), loss="poisson", max_iter=5, random_state=0)
    regressor.fit(X, y).set_params(loss="squared_error")
    (prediction,) = run_onnx(skprop_onnx.to_onnx(regressor, X), X)
    assert_allclose(prediction[:, 0], regressor.predict(X), **TOLERANCE)


def test_registered_with_skl2onnx_inside_a_pipeline():
    X, y = classification_data()
    pipeline = make_pipeline(
        StandardScaler(), BackpropClassifier((8,), max_iter=30, random_state=0)
    ).fit(X, y)
    # skl2onnx's own default: labels and a ZipMap of probabilities.
    label, proba_maps = run_onnx(skl2onnx.to_onnx(pipeline, X[:1]), X)
    proba = np.array([[row[k] for k in sorted(row)] for row in proba_maps])
    assert_allclose(proba, pipeline.predict_proba(X), **TOLERANCE)
    assert_array_equal(label, pipeline.predict(X))


def test_user_defined_activation_is_refused():
    class Square(Activation):
        def forward(self, z, out=None):
            return np.square(z, out=out)

        def derivative(self, z, a):
            return 2 * z

    class ShiftedReLU(ReLU):
        def forward(self, z, out=None):
            return np.maximum(z, 1.0, out=out)

    X, y = classification_data()
    for activation in [Square(), ShiftedReLU()]:
        model = fit_classifier(X, y, activation=activation, max_iter=2)
        with pytest.raises(NotImplementedError, match=type(activation).__name__):
            skprop_onnx.to_onnx(model, X)


def test_members_are_refused():
    X, y = classification_data()
    for model in (
        fit_classifier(X, y, n_members=2, max_iter=2),
        BackpropRegressor((4,), n_members=2, max_iter=2).fit(X, X[:, 0]),
    ):
        with pytest.raises(NotImplementedError, match="n_members > 1"):
            skprop_onnx.to_onnx(model, X)


def test_import_skprop_does_not_import_onnx():
    code = (
        "import sys, skprop; "
        "assert not {'onnx', 'skl2onnx', 'onnxruntime'} & set(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_input_layers_match(dtype):
    if dtype is np.float64 and not runtime_has_double_cos():
        pytest.skip(f"onnxruntime {ort.__version__} has no float64 Cos kernel")
    X, y = classification_data(dtype=dtype)
    X[:, 0] = X[:, 0] > 0  # a binary column, which passes unembedded
    model = fit_classifier(X, y, input_layers=["periodic", "scale"])
    assert model._fitted_input_layers[0].columns.tolist() == [1, 2, 3, 4, 5]
    assert_classifier_matches(model, X)
    X_reg, y_reg = make_regression(n_samples=80, n_features=4, random_state=0)
    X_reg = X_reg.astype(dtype)
    regressor = BackpropRegressor(
        (8,), input_layers=["scale", "periodic"], max_iter=20, random_state=0
    ).fit(X_reg, y_reg / y_reg.std())
    (predicted,) = run_onnx(skprop_onnx.to_onnx(regressor, X_reg), X_reg)
    assert_allclose(predicted.ravel(), regressor.predict(X_reg), **TOLERANCE)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parametric_activations_match(dtype):
    X, y = classification_data(dtype=dtype)
    model = fit_classifier(
        X,
        y,
        activation=[Parametric("tanh"), Parametric(ReLU())],
        parameter_groups={"activation": {"lr_factor": 30.0}},
    )
    assert np.abs(model.activation_params_[0] - 1.0).max() > 1e-3
    assert_classifier_matches(model, X)


def recipe_frame(n_samples=120, seed=0):
    """Numeric, category, string and boolean columns with missing values,
    and rows with unseen and missing categories appended."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "size": rng.normal(size=n_samples) * 100.0 + 50.0,
            "count": rng.integers(0, 5, n_samples),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n_samples)),
            "shop": rng.choice(["a", "b", "c", "d"], n_samples).astype(object),
            "member": rng.random(n_samples) < 0.5,
        }
    )
    X.loc[rng.random(n_samples) < 0.1, "size"] = np.nan
    X.loc[rng.random(n_samples) < 0.1, "colour"] = np.nan
    X.loc[rng.random(n_samples) < 0.1, "shop"] = None
    signal = X["size"].fillna(0.0) / 100.0 + (X["colour"] == "red")
    new = X.head(4).assign(shop=["new", None, "zz", "a"])
    return X, signal.to_numpy(), pd.concat([X, new], ignore_index=True)


def run_recipe(model, X_fit, X):
    onnx_model = skprop_onnx.to_onnx(model, X_fit)
    session = ort.InferenceSession(
        onnx_model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, skprop_onnx.onnx_inputs(onnx_model, X))


@pytest.mark.parametrize("max_categories", [256, 3])
def test_tabular_classifier_matches(max_categories):
    from skprop.tabular import make_classifier

    X, signal, X_test = recipe_frame()
    model = make_classifier(
        net__max_iter=3, prep__cat__onehot__max_categories=max_categories
    ).fit(X, np.where(signal > 0.5, "high", "low"))
    label, proba = run_recipe(model, X, X_test)
    assert_allclose(proba, model.predict_proba(X_test), **TOLERANCE)
    assert_array_equal(label, model.predict(X_test))


def test_tabular_regressor_matches():
    from skprop.tabular import make_regressor

    X, signal, X_test = recipe_frame()
    y = 1000.0 + 300.0 * signal
    model = make_regressor(net__regressor__max_iter=3).fit(X, y)
    (prediction,) = run_recipe(model, X, X_test)
    assert prediction.dtype == np.float64
    # The network computes in float32: about 1e-7 of the targets' scale.
    assert_allclose(prediction[:, 0], model.predict(X_test), rtol=1e-6, atol=1e-3)


def test_tabular_recipe_on_arrays_and_polars_matches():
    pl = pytest.importorskip("polars")
    from skprop.tabular import make_classifier

    X, signal, X_test = recipe_frame()
    y = signal > 0.5
    numeric = X[["size", "count"]].to_numpy()
    model = make_classifier(net__max_iter=3).fit(numeric, y)
    _, proba = run_recipe(model, numeric, numeric)
    assert_allclose(proba, model.predict_proba(numeric), **TOLERANCE)
    text = X[["shop"]].to_numpy()
    model = make_classifier(net__max_iter=3).fit(text, y)
    _, proba = run_recipe(model, text, text)
    assert_allclose(proba, model.predict_proba(text), **TOLERANCE)
    frame = pl.DataFrame(
        {
            "size": X["size"].to_numpy(),
            "shop": [v if isinstance(v, str) else None for v in X["shop"]],
        }
    )
    model = make_classifier(net__max_iter=3).fit(frame, y)
    _, proba = run_recipe(model, frame, frame)
    assert_allclose(proba, model.predict_proba(frame), **TOLERANCE)


def test_tabular_datetime_columns_are_refused():
    pd = pytest.importorskip("pandas")
    from skprop.tabular import make_classifier

    X = pd.DataFrame({"when": pd.date_range("2024-01-01", periods=20), "x": 1.0})
    model = make_classifier(net__max_iter=2).fit(X, [0, 1] * 10)
    with pytest.raises(NotImplementedError, match="'date' branch"):
        skprop_onnx.to_onnx(model, X)


def test_scalers_convert_inside_a_pipeline():
    from skprop.preprocessing import RobustSmoothScaler, TargetScaler

    X, y = classification_data(dtype=np.float64)
    X[::7, 0] = np.nan
    for scaler in [RobustSmoothScaler(), RobustSmoothScaler(clip=None), TargetScaler()]:
        fitted = scaler.fit(np.nan_to_num(X) if isinstance(scaler, TargetScaler) else X)
        data = np.nan_to_num(X) if isinstance(scaler, TargetScaler) else X
        (result,) = run_onnx(skl2onnx.to_onnx(fitted, data[:1]), data)
        assert_allclose(result, fitted.transform(data), rtol=1e-12, atol=1e-12)


def test_tabular_empty_string_category_beside_missing_values_is_refused():
    pd = pytest.importorskip("pandas")
    from skprop.tabular import make_classifier

    X = pd.DataFrame({"x": np.arange(40.0), "s": ["a", "b", "", None] * 10})
    model = make_classifier(net__max_iter=2).fit(X, [0, 0, 1, 1] * 10)
    with pytest.raises(NotImplementedError, match="empty string"):
        skprop_onnx.to_onnx(model, X)


def test_tabular_mixed_columns_without_names_are_refused():
    pd = pytest.importorskip("pandas")
    from skprop.tabular import make_classifier

    X = pd.DataFrame({0: np.arange(40.0), 1: ["a", "b", "c", None] * 10})
    model = make_classifier(net__max_iter=2).fit(X, [0, 1] * 20)
    with pytest.raises(NotImplementedError, match="string column names"):
        skprop_onnx.to_onnx(model, X)
