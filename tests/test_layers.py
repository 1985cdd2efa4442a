"""Input layers (`skprop.layers`) and parametric activations: their
backward passes against finite differences, alone and stacked, dense and
sparse; categorical embeddings' codes, unknown codes and training; the
estimator's ``input_layers``, ``parameter_groups``, ``init="data"`` and
``early_stopping="last_best"``."""

import doctest
import pickle
import warnings

import numpy as np
import pytest
from _gradcheck import numerical_gradient, relative_error
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skprop import BackpropClassifier, BackpropRegressor, layers
from skprop._epoch import objective
from skprop._layers import ParametricDense, dense_stack
from skprop._network import Network, predict_raw
from skprop._ops import NUMPY
from skprop._parts import parameter_groups
from skprop.activations import _REGISTRY as ACTIVATIONS
from skprop.activations import Parametric, Tanh
from skprop.layers import (
    CategoricalEmbedding,
    FeatureScale,
    PeriodicEmbedding,
    _Categorical,
    _Scale,
)
from skprop.losses import LogLoss


def data(rng, n_rows=9):
    """Three numeric columns and one binary column."""
    X = rng.normal(size=(n_rows, 4))
    X[:, 2] = rng.randint(2, size=n_rows)
    return X


def network(parts, X, n_outputs, rng):
    """Input layers built for `X`, then two tanh layers; float64, drawn
    from `rng` (scales drawn too, so their gradient is not trivial)."""
    front, n_inputs = [], X.shape[1]
    for part in parts:
        front.append(part.build(n_inputs, X))
        n_inputs = front[-1].n_units
    layers = front + dense_stack([n_inputs, 5, n_outputs], [Tanh()])
    net = Network.empty(layers, np.float64, parameter_groups(parts, None))
    net.initialize(rng)
    for layer, arrays in zip(front, net.arrays):
        if isinstance(layer, _Scale):
            arrays[0][...] = rng.uniform(0.5, 1.5, layer.n_units)
    return net


STACKS = {
    "scale": [FeatureScale()],
    "periodic": [PeriodicEmbedding(n_frequencies=3, n_outputs=2, sigma=0.5)],
    "periodic+scale": [PeriodicEmbedding(3, 2, sigma=0.5), FeatureScale()],
    "scale+periodic": [FeatureScale(), PeriodicEmbedding(3, 2, sigma=0.5)],
    "embed binary": [PeriodicEmbedding(2, 3, sigma=0.5, binary="embed")],
}


@pytest.mark.parametrize("stack", sorted(STACKS))
@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_gradient_through_input_layers(stack, kind):
    rng = np.random.RandomState(0)
    X = data(rng)
    X[rng.uniform(size=X.shape) < 0.3] = 0.0
    y = np.eye(3)[rng.randint(3, size=X.shape[0])]
    loss = LogLoss().for_target("multiclass")
    net = network(STACKS[stack], X, 3, rng)
    batch = sparse.csr_matrix(X) if kind == "sparse" else X

    def value(flat):
        net.params[...] = flat
        return objective(net, loss, batch, y, None, 0.1, X.shape[0])

    start = net.params.copy()
    numeric = numerical_gradient(value, start)
    value(start)
    assert relative_error(net.grad, numeric) < 1e-6
    assert_allclose(predict_raw(batch, net.layers, net.arrays), net.forward(X))


def coded_data(rng, n_rows=12):
    """`data`'s four columns and a fifth: codes 0-4 in column 4, codes 0-3
    in column 1, with an unknown code (-1) in each."""
    X = np.hstack([data(rng, n_rows), rng.randint(5, size=(n_rows, 1))])
    X[:, 1] = rng.randint(4, size=n_rows)
    X[0, 1] = X[1, 4] = -1.0
    return X


CATEGORICAL_STACKS = {
    "categorical": [CategoricalEmbedding(columns=[4, 1], n_dims=3)],
    # Not first: the input's gradient reaches the periodic layer's arrays.
    "periodic+categorical+scale": [
        PeriodicEmbedding(3, 2, sigma=0.5),
        CategoricalEmbedding(columns=[1], n_dims=2),
        FeatureScale(),
    ],
}


@pytest.mark.parametrize("stack", sorted(CATEGORICAL_STACKS))
@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_gradient_through_categorical_embeddings(stack, kind):
    rng = np.random.RandomState(0)
    X = coded_data(rng)
    X[:, [0, 2]] *= rng.uniform(size=(X.shape[0], 2)) > 0.3
    y = np.eye(3)[rng.randint(3, size=X.shape[0])]
    loss = LogLoss().for_target("multiclass")
    net = network(CATEGORICAL_STACKS[stack], X, 3, rng)
    for layer, arrays in zip(net.layers, net.arrays):
        if isinstance(layer, _Categorical):
            # The unknown rows start at 0: move them, as training does.
            unknown = layer.offsets + layer.sizes
            arrays[0][unknown] = rng.normal(size=(unknown.size, layer.n_dims))
    batch = sparse.csr_matrix(X) if kind == "sparse" else X

    def value(flat):
        net.params[...] = flat
        return objective(net, loss, batch, y, None, 0.1, X.shape[0])

    start = net.params.copy()
    numeric = numerical_gradient(value, start)
    value(start)
    assert relative_error(net.grad, numeric) < 1e-6
    assert_allclose(predict_raw(batch, net.layers, net.arrays), net.forward(X))


def embedding_network(X, **params):
    """A `CategoricalEmbedding` built for `X`, alone in a float64 network,
    initialised."""
    part = CategoricalEmbedding(**params)
    layer = part.build(X.shape[1], X)
    net = Network.empty([layer], np.float64, parameter_groups([part], None))
    net.initialize(np.random.RandomState(0))
    return layer, net


def test_categorical_embedding_output_keeps_the_other_columns_then_vectors():
    rng = np.random.RandomState(0)
    X = coded_data(rng, 30)
    layer, net = embedding_network(X, columns=[4, 1], n_dims=2)
    net.arrays[0][0][...] = np.arange(22.0).reshape(11, 2)
    assert_array_equal(layer.sizes, [5, 4])
    assert_array_equal(layer.offsets, [0, 6])
    assert net.arrays[0][0].shape == (6 + 5, 2)
    assert layer.n_units == 3 + 2 * 2
    out = net.forward(X)
    assert_array_equal(out[:, :3], X[:, [0, 2, 3]])
    table = net.arrays[0][0]
    # Column 4's block, then column 1's; -1 takes each block's last row.
    codes_4 = np.where(X[:, 4] < 0, 5, X[:, 4]).astype(int)
    codes_1 = np.where(X[:, 1] < 0, 4, X[:, 1]).astype(int)
    assert_array_equal(out[:, 3:5], table[codes_4])
    assert_array_equal(out[:, 5:7], table[6 + codes_1])
    assert_array_equal(net.predict(X), out)


def test_categorical_embedding_sends_unknown_codes_to_the_unknown_row():
    X = np.array([[0.0, 1.5], [1.0, 0.0], [2.0, 0.0]])
    _, net = embedding_network(X, columns=[0], n_dims=2)
    table = net.arrays[0][0]
    # The unknown row starts at 0, the others from N(0, 1).
    assert_array_equal(table[3], 0.0)
    assert np.all(table[:3] != 0.0)
    table[...] = np.arange(8.0).reshape(4, 2)
    unknown = [3.0, 7.0, -1.0, -0.5, 1.5, np.nan, np.inf, -np.inf, 1e300]
    new = np.column_stack([[*unknown, 0.0, 2.0], np.zeros(len(unknown) + 2)])
    out = net.predict(new)
    assert_array_equal(out[: len(unknown), 1:], np.tile(table[3], (len(unknown), 1)))
    assert_array_equal(out[-2:, 1:], table[[0, 2]])
    assert_array_equal(out[:, 0], new[:, 1])


def test_categorical_embedding_without_columns_passes_its_input_through():
    X, y = regression_data(30)
    _, net = embedding_network(X)
    assert net.arrays[0][0].shape == (0, 8)
    assert_array_equal(net.forward(X), X)
    model = BackpropRegressor((4,), input_layers=["categorical"], max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert [a.shape for a in model.input_params_[0]] == [(0, 8)]
    assert model.coefs_[0].shape == (3, 4)


def test_scatter_add_rows_sums_the_rows_of_each_index():
    rng = np.random.RandomState(0)
    rows = rng.randint(6, size=40)
    for dtype in (np.float32, np.float64):
        values = rng.normal(size=(40, 3)).astype(dtype)
        expected = np.zeros((7, 3))
        np.add.at(expected, rows, values.astype(np.float64))
        out = np.full((7, 3), np.nan, dtype)
        assert NUMPY.scatter_add_rows(values, rows, out=out) is out
        assert_allclose(out, expected, rtol=1e-6, atol=1e-6)
        assert_array_equal(out[6], 0.0)


def category_data(n_rows=600, n_categories=40, seed=0):
    """A target that depends on a category only: its code in column 0,
    beside a column of noise."""
    rng = np.random.RandomState(seed)
    effects = rng.normal(size=n_categories)
    category = rng.randint(n_categories, size=n_rows)
    X = np.column_stack([category, rng.normal(size=n_rows)])
    return X, effects[category] + 0.1 * rng.normal(size=n_rows)


def test_categorical_embedding_learns_what_a_code_taken_as_a_number_cannot():
    X, y = category_data()
    plain = BackpropRegressor((32,), learning_rate=0.01, max_iter=100, random_state=0)
    embedded = clone(plain).set_params(input_layers=[CategoricalEmbedding(columns=[0])])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain.fit(X[:400], y[:400])
        embedded.fit(X[:400], y[:400])
    assert embedded.score(X[400:], y[400:]) > 0.95
    assert plain.score(X[400:], y[400:]) < 0.3


def test_categorical_embedding_pickles_and_keeps_its_categories_when_continued():
    X, y = category_data(200, n_categories=10)
    model = BackpropRegressor(
        (8,),
        input_layers=[CategoricalEmbedding(columns=[0], n_dims=3)],
        max_iter=5,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert [a.shape for a in model.input_params_[0]] == [(11, 3)]
    assert model.coefs_[0].shape == (4, 8)
    restored = pickle.loads(pickle.dumps(model))
    assert type(restored._fitted_input_layers[0]) is _Categorical
    assert_array_equal(restored.predict(X), model.predict(X))
    # New codes in a later batch take the unknown row, whose gradient they
    # now give; the table keeps its size.
    new = X[:20].copy()
    new[:, 0] = 10 + np.arange(20) % 3
    unknown_row = model.input_params_[0][0][10].copy()
    model.partial_fit(new, y[:20])
    assert model.input_params_[0][0].shape == (11, 3)
    assert_array_equal(model._fitted_input_layers[0].sizes, [10])
    assert not np.allclose(model.input_params_[0][0][10], unknown_row)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(columns="auto"), "'columns' parameter"),
        (dict(columns=np.array([0])), "'columns' parameter"),
        (dict(columns=[0], n_dims=0), "'n_dims' parameter"),
        (dict(columns=[0], max_categories=0), "'max_categories' parameter"),
        (dict(columns=[0.0]), "list of integer column positions"),
        (dict(columns=[[0]]), "list of integer column positions"),
        (dict(columns=[2]), r"must lie in \[0, 2\)"),
        (dict(columns=[-1]), r"must lie in \[0, 2\)"),
        (dict(columns=[0, 0]), "repeat a column"),
        (dict(columns=[1]), "Column 1 .* holds .*, which is not a category code"),
        (dict(columns=[0], max_categories=5), "codes up to 9, more than"),
    ],
)
def test_categorical_embedding_parameters_and_codes_are_checked(params, message):
    X, y = category_data(50, n_categories=10)
    X[:, 1] = np.round(X[:, 1], 1)
    X[X[:, 0] == 0, 0] = 9.0  # codes up to 9
    model = BackpropRegressor(
        (4,), input_layers=[CategoricalEmbedding(**params)], max_iter=2
    )
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)


def test_categorical_embedding_has_no_onnx_conversion():
    pytest.importorskip("skl2onnx")
    from skprop.onnx import to_onnx

    X, y = category_data(60, n_categories=5)
    model = BackpropRegressor(
        (4,), input_layers=[CategoricalEmbedding(columns=[0])], max_iter=2
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    with pytest.raises(NotImplementedError, match="CategoricalEmbedding"):
        to_onnx(model, X)


def test_layers_docstring_examples_run():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert doctest.testmod(layers).failed == 0


def test_periodic_embedding_skips_binary_columns_and_keeps_the_input():
    rng = np.random.RandomState(0)
    X = data(rng, 30)
    layer = PeriodicEmbedding(n_frequencies=3, n_outputs=2).build(4, X)
    assert_array_equal(layer.columns, [0, 1, 3])
    assert layer.n_units == 4 + 3 * 2
    sparse_layer = PeriodicEmbedding().build(4, sparse.csr_matrix(X))
    assert_array_equal(sparse_layer.columns, [0, 1, 3])
    groups = parameter_groups([PeriodicEmbedding()], None)
    net = Network.empty([layer], np.float64, groups)
    net.initialize(rng)
    out = net.forward(X)
    assert_allclose(out[:, :4], X)
    # Column 1's embedding, by the formula.
    frequencies, phases, coef, intercept = net.arrays[0]
    periodic = np.cos(2 * np.pi * X[:, [1]] * frequencies[1] + phases[1])
    assert_allclose(out[:, 6:8], periodic @ coef[1] + intercept[1])


def test_initial_frequencies_follow_sigma():
    X = np.random.RandomState(0).normal(size=(50, 20))
    layer = PeriodicEmbedding(n_frequencies=64, sigma=0.1).build(20, X)
    groups = parameter_groups([PeriodicEmbedding()], None)
    net = Network.empty([layer], np.float64, groups)
    net.initialize(np.random.RandomState(0))
    frequencies, phases = net.arrays[0][:2]
    assert 0.09 < frequencies.std() < 0.11
    assert -np.pi <= phases.min() and phases.max() <= np.pi


def regression_data(n_rows=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n_rows, 3))
    return X, np.sin(4 * X[:, 0]) + X[:, 1] ** 2


def test_estimator_trains_input_layers_and_predicts_after_pickling():
    X, y = regression_data()
    model = BackpropRegressor(
        (16,),
        input_layers=["periodic", FeatureScale()],
        max_iter=30,
        random_state=0,
    ).fit(X, y)
    shapes = [[a.shape for a in arrays] for arrays in model.input_params_]
    assert shapes == [[(3, 16), (3, 16), (3, 16, 4), (3, 4)], [(15,)]]
    assert model.coefs_[0].shape == (15, 16)
    assert not np.allclose(model.input_params_[1][0], 1.0)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(X), model.predict(X))
    again = clone(model).fit(X, y)
    assert_array_equal(again.predict(X), model.predict(X))


def test_defaults_have_no_input_layers():
    X, y = regression_data()
    model = BackpropRegressor((8,), max_iter=3, random_state=0).fit(X, y)
    assert model.input_params_ == []


def test_warm_start_keeps_the_fitted_input_layers():
    X, y = regression_data()
    model = BackpropRegressor(
        (8,), input_layers=["periodic"], max_iter=5, random_state=0
    )
    # A first batch whose column 0 has two values only: later batches must
    # keep its choice of columns.
    first = X[:4].copy()
    first[:, 0] = [0.0, 1.0, 0.0, 1.0]
    model.partial_fit(first, y[:4])
    columns = model._fitted_input_layers[0].columns.copy()
    model.partial_fit(X, y)
    assert_array_equal(model._fitted_input_layers[0].columns, columns)
    model.set_params(input_layers=[PeriodicEmbedding(n_frequencies=3)])
    before = model.predict(X)
    with pytest.raises(ValueError, match="fitted with input_layers"):
        model.partial_fit(X, y)
    assert_array_equal(model.predict(X), before)


def test_parameter_groups_set_learning_rate_factors_and_decay():
    X, y = regression_data()
    common = dict(
        hidden_layer_sizes=(8,),
        input_layers=["scale"],
        optimizer="sgd",
        max_iter=5,
        random_state=0,
    )
    frozen = BackpropRegressor(
        **common, parameter_groups={"scale": {"lr_factor": 1e-12}}
    ).fit(X, y)
    assert_allclose(frozen.input_params_[0][0], 1.0, atol=1e-9)
    moving = BackpropRegressor(**common).fit(X, y)
    assert np.abs(moving.input_params_[0][0] - 1.0).max() > 1e-4
    # AdamW's decay skips the biases when told to: one step from the same
    # start, the weights move alike and only the biases differ, by the decay.
    decay = dict(
        common,
        optimizer="adamw",
        input_layers=None,
        learning_rate=0.1,
        max_iter=1,
        batch_size=len(y),
    )
    decayed = BackpropRegressor(**decay).fit(X, y)
    kept = BackpropRegressor(
        **decay, parameter_groups={"biases": {"weight_decay": False}}
    ).fit(X, y)
    assert_array_equal(decayed.coefs_[0], kept.coefs_[0])
    start = BackpropRegressor(**dict(decay, max_iter=1, learning_rate=1e-300))
    start.fit(X, y)
    # AdamW's step: -lr * (adam + weight_decay * params); 0.01 is its default.
    assert_allclose(
        kept.intercepts_[0] - decayed.intercepts_[0],
        0.1 * 0.01 * start.intercepts_[0],
        rtol=1e-6,
    )


@pytest.mark.parametrize(
    "groups, message",
    [
        ({"scales": {"lr_factor": 2.0}}, "no group 'scales'"),
        ({"biases": {"lr": 2.0}}, "no option 'lr'"),
        ({"biases": {"lr_factor": -1.0}}, "positive number"),
        ({"biases": {"weight_decay": "no"}}, "True or False"),
        ({"biases": 0.1}, "must be a dict"),
    ],
)
def test_bad_parameter_groups_name_the_problem(groups, message):
    X, y = regression_data()
    model = BackpropRegressor((4,), parameter_groups=groups, max_iter=2)
    with pytest.raises((ValueError, TypeError), match=message):
        model.fit(X, y)


def test_unknown_input_layer_names_the_choices():
    X, y = regression_data()
    with pytest.raises(ValueError, match="'input_layers' parameter must be one"):
        BackpropRegressor((4,), input_layers=["fourier"]).fit(X, y)


def test_last_best_runs_every_epoch_and_keeps_the_last_best():
    X, y = regression_data(200)
    model = BackpropRegressor(
        (16,),
        early_stopping="last_best",
        n_iter_no_change=2,
        max_iter=25,
        learning_rate=0.05,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(X, y)
    assert model.n_iter_ == 25
    scores = np.array(model.validation_scores_)
    assert model.best_validation_score_ == scores.max()
    # The kept weights score what the last best epoch scored.
    best_epoch = np.flatnonzero(scores == scores.max())[-1]
    plain = clone(model).set_params(early_stopping=True, max_iter=best_epoch + 1)
    plain.set_params(n_iter_no_change=np.inf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain.fit(X, y)
    assert_allclose(model.predict(X), plain.predict(X))


def test_last_best_prefers_the_later_of_tied_epochs():
    # Accuracy on a small hold-out ties often; MLP's rule keeps the first
    # best epoch, "last_best" the last.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int)
    common = dict(max_iter=20, n_iter_no_change=np.inf, random_state=0)
    first = BackpropClassifier((8,), early_stopping=True, **common)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        first.fit(X, y)
    last = BackpropClassifier((8,), early_stopping="last_best", **common).fit(X, y)
    scores = np.array(last.validation_scores_)
    assert_array_equal(scores, first.validation_scores_)
    tied = np.flatnonzero(scores == scores.max())
    assert tied.size > 1
    # The weights differ: each kept a different epoch of the same run.
    assert not np.array_equal(first.coefs_[0], last.coefs_[0])


def test_squared_error_of_the_network_with_input_layers_decreases():
    X, y = regression_data(300)
    plain = BackpropRegressor((32,), max_iter=60, random_state=0)
    embedded = clone(plain).set_params(input_layers=["periodic"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain.fit(X, y)
        embedded.fit(X, y)
    # sin(4x) is what periodic features are for.
    assert embedded.loss_ < plain.loss_


def test_data_driven_initialisation_gives_unit_variance_pre_activations():
    rng = np.random.RandomState(0)
    X = rng.lognormal(size=(300, 5)) * [1.0, 10.0, 100.0, 0.1, 1.0]
    y = X[:, 0] - X[:, 1]
    model = BackpropRegressor(
        (32, 16), init="data", max_iter=1, learning_rate=1e-300, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    z = X @ model.coefs_[0] + model.intercepts_[0]
    assert_allclose(z.std(axis=0), 1.0, rtol=1e-6)
    hidden = np.maximum(z, 0.0) @ model.coefs_[1] + model.intercepts_[1]
    assert_allclose(hidden.std(axis=0), 1.0, rtol=1e-6)
    # Each unit's zero lies among the training points: it is active on some
    # rows and inactive on others.
    active = (z > 0).mean(axis=0)
    assert (active > 0).all() and (active < 1).all()
    glorot = clone(model).set_params(init="glorot")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        glorot.fit(X, y)
    assert (X @ glorot.coefs_[0]).std(axis=0).max() > 10.0


def test_data_driven_initialisation_is_reproducible_through_input_layers():
    X, y = regression_data()
    model = BackpropRegressor(
        (8,),
        input_layers=["periodic", "scale"],
        init="data",
        max_iter=3,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        first = clone(model).fit(X, y)
        second = clone(model).fit(X, y)
    assert_array_equal(first.coefs_[0], second.coefs_[0])
    assert_array_equal(first.predict(X), second.predict(X))
    assert first.coefs_[0].shape == (15, 8)


# ----------------------------------------------------------------------
# Parametric activations
# ----------------------------------------------------------------------


@pytest.mark.parametrize("base", ["selu", "mish", "relu", "tanh", "logistic", "gelu"])
@pytest.mark.parametrize("dropout", [None, [0.5, 0.0]], ids=["", "dropout"])
def test_gradient_through_parametric_activations(base, dropout):
    rng = np.random.RandomState(1)
    X = data(rng)
    y = np.eye(3)[rng.randint(3, size=X.shape[0])]
    loss = LogLoss().for_target("multiclass")
    activations = [Parametric(base), Parametric(ACTIVATIONS[base]())]
    layers = dense_stack([4, 5, 3, 3], activations, dropout)
    groups = parameter_groups(activations, None)
    net = Network.empty(layers, np.float64, groups)
    net.initialize(rng)
    assert [type(layer) for layer in layers[:2]] == [ParametricDense] * 2
    for arrays in net.arrays[:2]:
        # Away from 1, where the blend is the plain activation.
        arrays[2][...] = rng.uniform(-0.5, 1.5, arrays[2].shape)

    def value(flat):
        net.params[...] = flat
        masks = None if dropout is None else np.random.RandomState(7)
        return objective(net, loss, X, y, None, 0.1, X.shape[0], masks)

    start = net.params.copy()
    numeric = numerical_gradient(value, start)
    value(start)
    assert relative_error(net.grad, numeric) < 1e-6
    z = X @ net.arrays[0][0] + net.arrays[0][1]
    mix = net.arrays[0][2]
    hidden = z + mix * (ACTIVATIONS[base]().forward(z.copy()) - z)
    assert_allclose(
        layers[0].predict(net.arrays[0], X, np.empty_like(z), NUMPY), hidden
    )
    assert_allclose(predict_raw(X, layers, net.arrays), net.forward(X))


def test_parametric_activation_starts_as_its_activation_and_learns_mixes():
    X, y = regression_data()
    common = dict(hidden_layer_sizes=(8, 4), max_iter=5, random_state=0)
    plain = BackpropRegressor(activation="tanh", **common)
    frozen = BackpropRegressor(
        activation=Parametric("tanh"),
        parameter_groups={"activation": {"lr_factor": 1e-12}},
        **common,
    )
    learned = BackpropRegressor(activation=Parametric("tanh"), **common)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain.fit(X, y)
        frozen.fit(X, y)
        learned.fit(X, y)
    # Mixes that stay at 1 train exactly as the plain activation.
    assert_allclose(frozen.predict(X), plain.predict(X), rtol=1e-9)
    assert [a.shape for a in learned.activation_params_] == [(8,), (4,)]
    assert np.abs(learned.activation_params_[0] - 1.0).max() > 1e-4
    assert plain.activation_params_ == [None, None]
    restored = pickle.loads(pickle.dumps(learned))
    assert_array_equal(restored.predict(X), learned.predict(X))


def test_parametric_activation_refuses_a_parametric_base():
    X, y = regression_data()
    model = BackpropRegressor((4,), activation=Parametric(Parametric("tanh")))
    with pytest.raises(TypeError, match="non-parametric"):
        model.fit(X, y)
