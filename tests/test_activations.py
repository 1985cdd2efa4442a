"""Contract tests over every registered activation."""

import pickle

import numpy as np
import pytest
from _gradcheck import numerical_gradient, relative_error
from numpy.testing import assert_allclose
from sklearn.base import clone

from skprop import BackpropClassifier
from skprop.activations import _REGISTRY, ELU, LeakyReLU

ACTIVATIONS = [cls() for cls in _REGISTRY.values()]


def away_from_kinks(seed=0, shape=(5, 4)):
    """Pre-activations at least 0.05 from zero (ReLU's and friends' kink)."""
    rng = np.random.RandomState(seed)
    z = rng.uniform(0.05, 2.0, size=shape)
    return z * rng.choice([-1.0, 1.0], size=shape)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=list(_REGISTRY))
def test_backward_matches_finite_differences(activation):
    z = away_from_kinks()
    upstream = np.random.RandomState(1).normal(size=z.shape)

    def weighted_output(values):
        return float((activation.forward(values.copy()) * upstream).sum())

    a = activation.forward(z.copy())
    grad = upstream.copy()
    activation.backward(None if activation.inplace else z, a, grad)
    assert relative_error(grad, numerical_gradient(weighted_output, z)) < 1e-6


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=list(_REGISTRY))
def test_derivative_agrees_with_backward(activation):
    z = away_from_kinks()
    a = activation.forward(z.copy())
    grad = np.ones_like(z)
    activation.backward(None if activation.inplace else z, a, grad)
    assert_allclose(grad, activation.derivative(z, a), rtol=1e-12)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=list(_REGISTRY))
def test_forward_into_buffer_matches_fresh_result(activation):
    z = away_from_kinks()
    expected = activation.forward(z.copy())
    buffer = z.copy() if activation.inplace else np.empty_like(z)
    result = activation.forward(
        z.copy() if not activation.inplace else buffer, out=buffer
    )
    # The network reserves that buffer per layer: a fresh array would waste it.
    assert result is buffer
    assert_allclose(result, expected)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=list(_REGISTRY))
def test_float32_stays_float32(activation):
    z = away_from_kinks().astype(np.float32)
    a = activation.forward(z.copy())
    grad = np.ones_like(z)
    activation.backward(None if activation.inplace else z, a, grad)
    assert a.dtype == np.float32
    assert grad.dtype == np.float32


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=list(_REGISTRY))
def test_clone_pickle_and_unchanged_by_fit(activation):
    assert clone(activation).get_params() == activation.get_params()
    before = pickle.dumps(activation)
    X = np.random.RandomState(0).normal(size=(30, 3))
    y = (X[:, 0] > 0).astype(int)
    BackpropClassifier(hidden_layer_sizes=(3,), activation=activation, max_iter=2).fit(
        X, y
    )
    assert pickle.dumps(activation) == before


def test_no_overflow_warnings_at_extreme_inputs():
    z = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for activation in ACTIVATIONS:
            assert np.isfinite(activation.forward(z.copy())).all()


def test_known_values():
    z = np.array([[-2.0, 3.0]])
    assert_allclose(LeakyReLU(negative_slope=0.1).forward(z), [[-0.2, 3.0]])
    assert_allclose(ELU(alpha=0.5).forward(z), [[0.5 * (np.exp(-2.0) - 1), 3.0]])
    assert_allclose(_REGISTRY["softplus"]().forward(z), np.log1p(np.exp(z)))
    scale, alpha = 1.0507009873554805, 1.6732632423543772
    expected_selu = [[scale * alpha * (np.exp(-2.0) - 1), scale * 3.0]]
    assert_allclose(_REGISTRY["selu"]().forward(z), expected_selu)
    mish = z * np.tanh(np.log1p(np.exp(z)))
    assert_allclose(_REGISTRY["mish"]().forward(z), mish)


def test_one_activation_per_hidden_layer():
    X = np.random.RandomState(0).normal(size=(50, 3))
    y = (X[:, 0] > 0).astype(int)
    model = BackpropClassifier(
        hidden_layer_sizes=(4, 3),
        activation=["tanh", ELU()],
        max_iter=5,
        random_state=0,
    ).fit(X, y)
    assert model.predict(X).shape == (50,)
    with pytest.raises(ValueError, match="one per hidden layer"):
        BackpropClassifier(hidden_layer_sizes=(4, 3), activation=["tanh"]).fit(X, y)
