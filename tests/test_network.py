"""The network of layers: the whole backward pass against finite
differences, for every loss, activation and target kind, with and without
sample weights, L2 and dropout; the layout of the flat vector."""

import numpy as np
import pytest
from _gradcheck import numerical_gradient, relative_error
from numpy.testing import assert_allclose
from scipy import sparse

from skprop._epoch import objective
from skprop._layers import Layer, ParameterGroup, dense_stack
from skprop._network import Network, predict_raw
from skprop._ops import NUMPY
from skprop.activations import _REGISTRY as ACTIVATIONS
from skprop.losses import _REGISTRY as LOSSES
from skprop.losses import LogLoss

N_SAMPLES, N_FEATURES, HIDDEN = 7, 3, [4, 3]


def make_targets(kind, rng):
    """(loss, targets) for one target kind."""
    if kind == "binary":
        return LogLoss(), rng.randint(2, size=(N_SAMPLES, 1)).astype(float)
    if kind == "multiclass":
        return LogLoss().for_target("multiclass"), np.eye(3)[
            rng.randint(3, size=N_SAMPLES)
        ]
    if kind == "multilabel":
        return LogLoss(), rng.randint(2, size=(N_SAMPLES, 3)).astype(float)
    n_outputs = 1 if kind.endswith("single") else 2
    loss = LOSSES[kind.split(":")[0]]()
    y = rng.poisson(2.0, size=(N_SAMPLES, n_outputs)).astype(float)
    return loss, y + (0.0 if kind.startswith("poisson") else 0.37)


TARGET_KINDS = ["binary", "multiclass", "multilabel"] + [
    f"{name}:{outputs}"
    for name in sorted(set(LOSSES) - {"log_loss"})
    for outputs in ("single", "multi")
]


def dense_network(layer_units, activations, rng, dropout=None):
    """A float64 network of dense layers, initialised from `rng`."""
    net = Network.empty(dense_stack(layer_units, activations, dropout), np.float64)
    net.initialize(rng)
    return net


def check_network_gradient(
    loss, y, activation, sample_weight, alpha, seed=0, dropout=None
):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    layer_units = [N_FEATURES, *HIDDEN, y.shape[1]]
    net = dense_network(layer_units, [activation] * len(HIDDEN), rng, dropout)
    denominator = N_SAMPLES * (1.0 if sample_weight is None else sample_weight.mean())

    def value(flat):
        net.params[...] = flat
        # The same dropout masks at every evaluation.
        masks = None if dropout is None else np.random.RandomState(seed + 1)
        return objective(net, loss, X, y, sample_weight, alpha, denominator, masks)

    start = net.params.copy()
    numeric = numerical_gradient(value, start)
    value(start)
    assert relative_error(net.grad, numeric) < 1e-6


@pytest.mark.parametrize("kind", TARGET_KINDS)
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_gradient_of_the_objective(kind, activation, weighted):
    rng = np.random.RandomState(42)
    loss, y = make_targets(kind, rng)
    sample_weight = rng.uniform(0.0, 3.0, size=N_SAMPLES) if weighted else None
    alpha = 0.3 if weighted else 0.0
    check_network_gradient(loss, y, ACTIVATIONS[activation](), sample_weight, alpha)


def test_gradient_with_dropout():
    rng = np.random.RandomState(3)
    loss, y = make_targets("multiclass", rng)
    check_network_gradient(
        loss, y, ACTIVATIONS["tanh"](), None, 0.1, dropout=[0.5, 0.25]
    )


def test_dropout_masks_are_zero_or_inverted_keep_rate():
    mask = NUMPY.mask(np.random.RandomState(0), (50, 40), 0.5, np.dtype(np.float64))
    assert {0.0, 2.0} == set(np.unique(mask))


def test_flat_vector_holds_weights_first_then_intercepts():
    layer_units = [3, 2, 1]
    params = np.arange(3 * 2 + 2 * 1 + 2 + 1, dtype=float)
    net = Network(dense_stack(layer_units, [ACTIVATIONS["relu"]()]), params)
    (coef_0, intercept_0), (coef_1, intercept_1) = net.arrays
    assert_allclose(coef_0.ravel(), params[:6])
    assert_allclose(coef_1.ravel(), params[6:8])
    assert_allclose(intercept_0, params[8:10])
    assert_allclose(intercept_1, params[10:])
    params[0] = -1.0
    assert coef_0[0, 0] == -1.0
    assert [(group.name, piece) for group, piece in net.groups] == [
        ("weights", slice(0, 8)),
        ("biases", slice(8, 11)),
    ]
    assert net.l2_slices == [slice(0, 8)]


def test_initial_weights_are_drawn_in_mlps_order():
    # MLP draws layer by layer, weights then intercepts, uniform in
    # +-sqrt(6 / (fan_in + fan_out)).
    net = dense_network([4, 5, 3], [ACTIVATIONS["relu"]()], np.random.RandomState(0))
    rng = np.random.RandomState(0)
    for (coef, intercept), (fan_in, fan_out) in zip(net.arrays, [(4, 5), (5, 3)]):
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        assert_allclose(coef, rng.uniform(-bound, bound, (fan_in, fan_out)))
        assert_allclose(intercept, rng.uniform(-bound, bound, fan_out))


def test_load_copies_fitted_arrays_into_the_vector():
    rng = np.random.RandomState(0)
    source = dense_network([4, 3, 2], [ACTIVATIONS["tanh"]()], rng)
    target = Network.empty(source.layers, np.float32)
    target.load(source.arrays)
    assert target.params.dtype == np.float32
    assert_allclose(target.params, source.params, rtol=1e-6)


class Scale(Layer):
    """A learnable per-feature scale: a layer type of the tests' own."""

    def __init__(self, n_units):
        self.n_units = n_units

    def parameters(self):
        return [("scale", (self.n_units,), "scales")]

    def initialize(self, arrays, rng):
        arrays[0][...] = rng.uniform(0.5, 1.5, self.n_units)

    def forward(self, arrays, X, work, rng=None):
        work["input"] = X
        return X * arrays[0]

    def backward(self, arrays, grads, grad_output, work, input_grad=True):
        grads[0][...] = (grad_output * work["input"]).sum(axis=0)
        return grad_output * arrays[0] if input_grad else None

    def predict(self, arrays, X, out):
        return X * arrays[0]


def test_a_new_layer_type_trains_through_the_same_network():
    rng = np.random.RandomState(0)
    loss, y = make_targets("multiclass", rng)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    layers = [
        Scale(N_FEATURES),
        *dense_stack([N_FEATURES, 4, 3], [ACTIVATIONS["tanh"]()]),
    ]
    groups = [
        ParameterGroup("weights", l2=True),
        ParameterGroup("biases", l2=False),
        ParameterGroup("scales", l2=False, lr_factor=0.5),
    ]
    net = Network.empty(layers, np.float64, groups)
    net.initialize(rng)
    assert net.groups[2][1] == slice(net.params.size - N_FEATURES, net.params.size)

    def value(flat):
        net.params[...] = flat
        return objective(net, loss, X, y, None, 0.2, N_SAMPLES)

    start = net.params.copy()
    numeric = numerical_gradient(value, start)
    value(start)
    assert relative_error(net.grad, numeric) < 1e-6
    assert_allclose(predict_raw(X, layers, net.arrays), net.forward(X))


def test_sparse_input_gives_the_dense_result():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(6, 4)) * (rng.uniform(size=(6, 4)) > 0.5)
    net = dense_network([4, 5, 2], [ACTIVATIONS["relu"]()], rng)
    assert_allclose(net.predict(sparse.csr_matrix(X)), net.predict(X))
    y = np.eye(2)[rng.randint(2, size=6)]
    loss = LogLoss().for_target("multiclass")
    objective(net, loss, X, y, None, 0.1, 6.0)
    dense_grad = net.grad.copy()
    objective(net, loss, sparse.csr_matrix(X), y, None, 0.1, 6.0)
    assert_allclose(net.grad, dense_grad)
