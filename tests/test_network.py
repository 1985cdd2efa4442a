"""The whole backward pass against finite differences, for every loss,
activation and target kind, with and without sample weights and L2."""

import numpy as np
import pytest
from _gradcheck import numerical_gradient, relative_error
from numpy.testing import assert_allclose
from scipy import sparse

from skprop._network import Network, flatten, glorot_init, parameter_views, predict_raw
from skprop._training import dropout_masks, objective
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


def check_network_gradient(
    loss, y, activation, sample_weight, alpha, seed=0, masks=None
):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    layer_units = [N_FEATURES, *HIDDEN, y.shape[1]]
    params = glorot_init(layer_units, [6.0] * 3, rng, np.float64)
    net = Network(params, layer_units, [activation] * len(HIDDEN))
    denominator = N_SAMPLES * (1.0 if sample_weight is None else sample_weight.mean())

    def value(flat):
        net.params[...] = flat
        return objective(net, loss, X, y, sample_weight, alpha, denominator, masks)

    start = params.copy()
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


def test_gradient_with_dropout_masks():
    rng = np.random.RandomState(3)
    loss, y = make_targets("multiclass", rng)
    masks = dropout_masks(
        [0.5, 0.25], [N_FEATURES, *HIDDEN, 3], N_SAMPLES, rng, np.dtype(np.float64)
    )
    assert {0.0, 2.0} == set(np.unique(masks[0]))
    check_network_gradient(loss, y, ACTIVATIONS["tanh"](), None, 0.1, masks=masks)


def test_coefs_are_views_of_the_flat_vector():
    params = np.arange(3 * 2 + 2 * 1 + 2 + 1, dtype=float)
    coefs, intercepts = parameter_views(params, [3, 2, 1])
    params[0] = -1.0
    assert coefs[0][0, 0] == -1.0
    assert [c.shape for c in coefs] == [(3, 2), (2, 1)]
    assert_allclose(flatten(coefs, intercepts, np.float64), params)


def test_sparse_input_gives_the_dense_result():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(6, 4)) * (rng.uniform(size=(6, 4)) > 0.5)
    layer_units = [4, 5, 2]
    params = glorot_init(layer_units, [6.0, 6.0], rng, np.float64)
    activations = [ACTIVATIONS["relu"]()]
    net = Network(params, layer_units, activations)
    coefs, intercepts = net.coefs, net.intercepts
    assert_allclose(
        predict_raw(sparse.csr_matrix(X), coefs, intercepts, activations),
        predict_raw(X, coefs, intercepts, activations),
    )
    y = np.eye(2)[rng.randint(2, size=6)]
    loss = LogLoss().for_target("multiclass")
    objective(net, loss, X, y, None, 0.1, 6.0)
    dense_grad = net.grad.copy()
    objective(net, loss, sparse.csr_matrix(X), y, None, 0.1, 6.0)
    assert_allclose(net.grad, dense_grad)
