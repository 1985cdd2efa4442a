"""The public checker of user-written parts: every built-in part passes it,
broken parts fail it with a message that says what to fix; and a loss
whose output does not fit the targets is refused before training."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy.special import expit

from skprop import BackpropClassifier, BackpropRegressor
from skprop import activations as _activations
from skprop import losses as _losses
from skprop.activations import ELU, Activation, LeakyReLU, Parametric, Tanh
from skprop.checks import (
    PartCheckError,
    check_activation,
    check_loss,
    check_part,
)
from skprop.losses import (
    Huber,
    IdentityLink,
    LogitLink,
    LogLink,
    LogLoss,
    Loss,
    Quantile,
    SoftmaxLink,
    SquaredError,
)
from skprop.optimizers import SGD

LOSSES = [cls() for cls in _losses._REGISTRY.values()] + [
    LogLoss().for_target("multiclass"),
    LogLoss(label_smoothing=0.2),
    LogLoss(label_smoothing=0.2).for_target("multiclass"),
    Huber(delta=0.5),
    # Residuals of 0.3 sit on this kink: those points are left out.
    Huber(delta=0.3),
    Quantile(quantile=0.1),
    Quantile(quantile=0.9),
]
ACTIVATIONS = [cls() for cls in _activations._REGISTRY.values()] + [
    LeakyReLU(negative_slope=0.2),
    ELU(alpha=0.5),
    Parametric(ELU(alpha=0.5)),
] + [Parametric(name) for name in _activations._REGISTRY]  # fmt: skip
LINKS = [IdentityLink(), LogitLink(), SoftmaxLink(), LogLink()]


@pytest.mark.parametrize("loss", LOSSES, ids=repr)
def test_every_built_in_loss_passes(loss):
    assert check_loss(loss) is loss
    assert check_part(loss, random_state=3) is loss


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=repr)
def test_every_built_in_activation_passes(activation):
    assert check_activation(activation) is activation
    assert check_part(activation, random_state=3) is activation


@pytest.mark.parametrize("link", LINKS, ids=repr)
def test_every_built_in_link_passes(link):
    assert check_part(link) is link


def test_other_parts_are_refused():
    with pytest.raises(TypeError, match="Loss.*Link.*Activation; got SGD"):
        check_part(SGD())


def test_part_check_error_is_an_assertion_error():
    assert issubclass(PartCheckError, AssertionError)


# ----------------------------------------------------------------------
# Broken losses
# ----------------------------------------------------------------------


class WrongSign(SquaredError):
    def gradient(self, y, raw):
        return y - raw


class FactorTwo(Loss):
    """Squared error without the 1/2, with the gradient of half of it."""

    def loss(self, y, raw):
        return (raw - y) ** 2

    def gradient(self, y, raw):
        return raw - y


class PerSample(Loss):
    def loss(self, y, raw):
        return 0.5 * ((raw - y) ** 2).sum(axis=1)

    def gradient(self, y, raw):
        return raw - y


@pytest.mark.parametrize("loss", [WrongSign(), FactorTwo()], ids=repr)
def test_a_wrong_gradient_is_caught(loss):
    with pytest.raises(PartCheckError) as caught:
        check_part(loss)
    message = str(caught.value)
    assert f"{loss!r} failed the check 'gradient'" in message
    assert "Worst element (" in message
    assert "expected" in message and "got" in message
    assert "To fix:" in message


def test_the_worst_element_is_named_with_expected_and_got_values():
    y = np.zeros((2, 1))
    raw = np.array([[0.5], [-2.0]])
    with pytest.raises(PartCheckError) as caught:
        check_loss(WrongSign(), y, raw)
    assert "Worst element (1, 0) (y=0, raw=-2): expected -2, got 2" in str(caught.value)


def test_a_loss_of_the_wrong_shape_is_caught():
    with pytest.raises(
        PartCheckError, match=r"'loss shape'.*\(8,\), expected \(8, 3\)"
    ):
        check_part(PerSample())


def test_a_loss_gradient_that_disagrees_is_caught():
    class Stale(SquaredError):
        def loss_gradient(self, y, raw):
            return self.loss(y, raw), 2 * self.gradient(y, raw)

    with pytest.raises(PartCheckError, match="'loss_gradient'"):
        check_part(Stale())


def test_non_finite_values_are_caught():
    class Overflowing(Loss):
        def loss(self, y, raw):
            return np.where(raw > 1.0, np.inf, raw)

        def gradient(self, y, raw):
            return np.ones_like(raw)

    with pytest.raises(PartCheckError, match=r"'loss shape \(finite\)'"):
        check_part(Overflowing())


def test_a_classification_loss_needs_a_probability_link():
    class NoLink(Loss):
        is_classification = True

        def loss(self, y, raw):
            return np.logaddexp(0.0, raw) - y * raw

        def gradient(self, y, raw):
            return expit(raw) - y

    with pytest.raises(PartCheckError, match="'link'.*gives no probabilities"):
        check_part(NoLink())


def test_a_wrong_xp_form_is_caught():
    class WrongXp(SquaredError):
        def gradient_xp(self, y, raw, xp):
            return y - raw

    with pytest.raises(PartCheckError, match="'gradient_xp'"):
        check_part(WrongXp())


def test_a_part_that_does_not_clone_is_caught():
    class Scaled(SquaredError):
        def __init__(self, scale=1.0):
            self.scale = float(scale) * 2

    with pytest.raises(PartCheckError, match="(?s)'parameters'.*__init__ must store"):
        check_part(Scaled())


def test_targets_the_loss_rejects_are_reported():
    with pytest.raises(PartCheckError, match="'targets'.*negative"):
        check_loss(_losses.Poisson(), -np.ones((3, 1)), np.zeros((3, 1)))


# ----------------------------------------------------------------------
# Broken links
# ----------------------------------------------------------------------


class UnnormalisedSoftmax(SoftmaxLink):
    def inverse(self, raw):
        return expit(raw)


class ScaledLogit(LogitLink):
    def inverse(self, raw):
        return 2 * expit(raw)


def test_rows_that_do_not_sum_to_one_are_caught():
    with pytest.raises(PartCheckError, match="'link rows sum to 1'") as caught:
        check_part(UnnormalisedSoftmax())
    assert "expected 1, got" in str(caught.value)


def test_a_loss_with_such_a_link_names_both():
    class Multiclass(LogLoss):
        link = UnnormalisedSoftmax()

    with pytest.raises(PartCheckError, match=r"The link of Multiclass\(\)"):
        check_part(Multiclass())


def test_probabilities_outside_zero_one_are_caught():
    with pytest.raises(PartCheckError, match="outside \\[0, 1\\]"):
        check_part(ScaledLogit())


def test_a_complement_that_disagrees_is_caught():
    class Complement(LogitLink):
        def complement(self, raw):
            return expit(raw)

    with pytest.raises(PartCheckError, match="'link complement'"):
        check_part(Complement())


# ----------------------------------------------------------------------
# Broken activations
# ----------------------------------------------------------------------


class WrongDerivative(Activation):
    def forward(self, z, out=None):
        return np.tanh(z, out=out)

    def derivative(self, z, a):
        return 1.0 - a


class Square(Activation):
    def forward(self, z, out=None):
        return np.square(z, out=out)

    def derivative(self, z, a):
        return 2 * z


def test_a_wrong_derivative_is_caught():
    with pytest.raises(PartCheckError) as caught:
        check_part(WrongDerivative())
    message = str(caught.value)
    assert "failed the check 'derivative'" in message
    assert "Worst element (" in message and "(z=" in message


def test_a_wrong_backward_is_caught():
    class WrongBackward(Tanh):
        def backward(self, z, a, grad):
            grad *= 1.0 - a

    with pytest.raises(PartCheckError, match="'backward'"):
        check_part(WrongBackward())


def test_an_inplace_activation_whose_derivative_needs_z_is_caught():
    class InplaceSquare(Square):
        inplace = True

    check_part(Square())
    with pytest.raises(PartCheckError, match="derivative\\(None, a\\)"):
        check_part(InplaceSquare())


def test_a_forward_that_overwrites_z_is_caught():
    class Overwriting(Square):
        def forward(self, z, out=None):
            np.square(z, out=z)
            if out is None:
                return z.copy()
            np.copyto(out, z)
            return out

    with pytest.raises(PartCheckError, match="changed z"):
        check_part(Overwriting())


def test_a_forward_without_out_is_caught():
    class NoOut(Activation):
        def forward(self, z):
            return np.tanh(z)

        def derivative(self, z, a):
            return 1.0 - a * a

    with pytest.raises(PartCheckError, match="'forward'.*TypeError"):
        check_part(NoOut())


def test_a_wrong_xp_derivative_is_caught():
    class WrongXp(Tanh):
        def derivative_xp(self, z, a, xp):
            return 1.0 - a

    with pytest.raises(PartCheckError, match="'derivative_xp'"):
        check_part(WrongXp())


def test_points_on_kinks_are_left_out():
    z = np.array([[0.0, 1.0], [-1.0, 0.0]])
    check_activation(_activations.ReLU(), z)
    with pytest.raises(PartCheckError, match="'derivative points'"):
        check_activation(_activations.ReLU(), np.zeros((2, 2)))


# ----------------------------------------------------------------------
# A loss whose output does not fit the targets is refused by fit
# ----------------------------------------------------------------------


class BinaryLogLoss(Loss):
    """A user's binary cross-entropy: one logistic output per column."""

    is_classification = True
    link = LogitLink()

    def loss(self, y, raw):
        return np.logaddexp(0.0, raw) - y * raw

    def gradient(self, y, raw):
        return expit(raw) - y


class SoftmaxOnly(LogLoss):
    """A user's multiclass cross-entropy that knows no other target type."""

    link = SoftmaxLink()

    def for_target(self, target_type):
        return self


def _data(n_classes, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(60, 3))
    return X, rng.randint(n_classes, size=60)


def test_a_binary_loss_on_three_classes_is_refused_and_the_model_kept():
    X, y = _data(2)
    model = BackpropClassifier((3,), loss=BinaryLogLoss(), max_iter=5, random_state=0)
    model.fit(X, y)
    proba, coefs = model.predict_proba(X), [c.copy() for c in model.coefs_]
    _, y3 = _data(3)
    with pytest.raises(ValueError) as caught:
        model.fit(X, y3)
    message = str(caught.value)
    assert "loss=BinaryLogLoss()" in message
    assert "output_kind 'probability'" in message
    assert "y is multiclass (3 classes)" in message
    assert "needs output_kind 'distribution'" in message
    assert "SoftmaxLink()" in message and "for_target" in message
    assert_array_equal(model.classes_, [0, 1])
    assert_array_equal(model.predict_proba(X), proba)
    for before, after in zip(coefs, model.coefs_, strict=True):
        assert_array_equal(before, after)


def test_a_multiclass_only_loss_on_binary_targets_is_refused():
    with pytest.raises(ValueError, match="SoftmaxOnly.*'distribution'.*y is binary"):
        BackpropClassifier((3,), loss=SoftmaxOnly(), max_iter=2).fit(*_data(2))


def test_a_binary_loss_is_refused_in_partial_fit_too():
    X, y = _data(3)
    model = BackpropClassifier((3,), loss=BinaryLogLoss())
    with pytest.raises(ValueError, match="y is multiclass"):
        model.partial_fit(X, y, classes=[0, 1, 2])
    assert not hasattr(model, "coefs_")


def test_a_classification_loss_on_a_regressor_is_refused():
    X, y = _data(3)
    with pytest.raises(ValueError, match="classification loss \\(SoftmaxOnly\\)"):
        BackpropRegressor((3,), loss=SoftmaxOnly(), max_iter=2).fit(X, y * 1.0)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_losses_that_fit_their_targets_still_train(kind):
    X, y = _data(3)
    if kind == "binary":
        y = y % 2
    elif kind == "multilabel":
        y = np.column_stack([y == 0, y > 0, y % 2]).astype(int)
    for loss in ["log_loss", LogLoss(label_smoothing=0.1)]:
        model = BackpropClassifier((3,), loss=loss, max_iter=5, random_state=0)
        proba = model.fit(X, y).predict_proba(X)
        assert np.isfinite(proba).all()
        if kind != "multilabel":
            np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    if kind != "multiclass":
        BackpropClassifier((3,), loss=BinaryLogLoss(), max_iter=5).fit(X, y)
    if kind == "multiclass":
        proba = BackpropClassifier((3,), loss=SoftmaxOnly(), max_iter=5).fit(X, y)
        np.testing.assert_allclose(proba.predict_proba(X).sum(axis=1), 1.0)
