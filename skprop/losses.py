"""Losses and the output links that turn raw network output into predictions.

A loss gives, elementwise, its value and its gradient with respect to the raw
network output (the last layer's ``z``, before the link). Sample weighting and
summing are done once, in the base class.
"""

from numbers import Real

import numpy as np
from scipy.special import expit, log_expit, xlogy
from sklearn.utils._param_validation import Interval

from skprop._component import Component


class Link(Component):
    """Base class of output links.

    A link's `inverse` maps the raw network output to the prediction (the
    "output activation"); `out_activation` is its name, as in scikit-learn's
    MLP ``out_activation_``.
    """

    out_activation = "identity"

    def inverse(self, raw):
        """Map raw output of shape (n_samples, n_outputs) to predictions."""
        return raw

    def log_inverse(self, raw):
        """``log(inverse(raw))``; links to probabilities override it to stay
        finite where the probability underflows."""
        return np.log(self.inverse(raw))

    def complement(self, raw):
        """``1 - inverse(raw)``, the negative class of binary models; links
        to probabilities override it to keep small values exact."""
        return 1.0 - self.inverse(raw)

    def log_complement(self, raw):
        """``log(1 - inverse(raw))``."""
        return np.log(self.complement(raw))


class IdentityLink(Link):
    """Predictions are the raw output."""


class LogitLink(Link):
    """Independent probabilities ``expit(raw)``: binary and multilabel."""

    out_activation = "logistic"

    def inverse(self, raw):
        return expit(raw)

    def complement(self, raw):
        return expit(-raw)

    def log_inverse(self, raw):
        return log_expit(raw)

    def log_complement(self, raw):
        return log_expit(-raw)


class SoftmaxLink(Link):
    """Probabilities over classes: ``softmax(raw)`` row by row."""

    out_activation = "softmax"

    def inverse(self, raw):
        return np.exp(log_softmax(raw))

    def log_inverse(self, raw):
        return log_softmax(raw)


class LogLink(Link):
    """Positive predictions ``exp(raw)``, as for counts."""

    out_activation = "exp"

    def inverse(self, raw):
        return safe_exp(raw)


def log_softmax(raw):
    """Row-wise log-softmax, stable for any finite logits."""
    shifted = raw - raw.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def safe_exp(raw):
    """``exp(raw)`` clipped below the largest finite value of raw's dtype."""
    limit = np.log(np.finfo(raw.dtype).max) - 1.0
    return np.exp(np.minimum(raw, limit))


class Loss(Component):
    """Base class of losses.

    A subclass implements `loss` and `gradient`, elementwise, with respect to
    the raw network output; it sets `link` when predictions are not the raw
    output. The per-sample loss is the sum over outputs. The base class
    applies sample weights and sums (`weighted`), so a subclass never does.

    Attributes
    ----------
    link : Link
        Maps raw output to predictions (identity unless set).
    is_classification : bool
        Whether the loss is for `BackpropClassifier` (targets are 0/1
        indicators) rather than `BackpropRegressor`.
    positive_target : bool
        Whether `check_target` rejects negative targets; the estimator
        declares it in its ``target_tags.positive_only``.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop.losses import Loss
    >>> class LogCosh(Loss):
    ...     def loss(self, y, raw):
    ...         residual = raw - y
    ...         return np.logaddexp(residual, -residual) - np.log(2.0)
    ...     def gradient(self, y, raw):
    ...         return np.tanh(raw - y)
    >>> LogCosh().loss(np.zeros((1, 1)), np.zeros((1, 1)))
    array([[0.]])
    """

    link = IdentityLink()
    is_classification = False
    positive_target = False

    def loss(self, y, raw):
        """Elementwise loss.

        Parameters
        ----------
        y : ndarray of shape (n_samples, n_outputs)
            Targets (0/1 indicators for a classification loss).
        raw : ndarray of shape (n_samples, n_outputs)
            Raw network output, before the link.

        Returns
        -------
        values : ndarray of shape (n_samples, n_outputs)
        """
        raise NotImplementedError

    def gradient(self, y, raw):
        """Elementwise derivative of `loss` with respect to `raw`.

        Parameters
        ----------
        y : ndarray of shape (n_samples, n_outputs)
        raw : ndarray of shape (n_samples, n_outputs)

        Returns
        -------
        grad_raw : ndarray of shape (n_samples, n_outputs)
        """
        raise NotImplementedError

    def loss_gradient(self, y, raw):
        """Both `loss` and `gradient`; override to share work between them."""
        return self.loss(y, raw), self.gradient(y, raw)

    def check_target(self, y):
        """Raise ValueError when `y` is outside the loss's domain."""

    def for_target(self, target_type):
        """The loss to train with for `target_type` (scikit-learn's
        ``type_of_target``); most losses return themselves."""
        return self

    def weighted(self, y, raw, sample_weight=None, scale=1.0):
        """Weighted loss sum and scaled weighted gradient.

        Parameters
        ----------
        y, raw : ndarray of shape (n_samples, n_outputs)
        sample_weight : ndarray of shape (n_samples,) or None
            None weighs every sample 1.
        scale : float, default=1.0
            Factor applied to the gradient (the objective's denominator).

        Returns
        -------
        total : float
            ``sum_i w_i * sum_k loss_ik``.
        grad_raw : ndarray of shape (n_samples, n_outputs)
            ``scale * w_i * gradient_ik``.
        """
        values, grad_raw = self.loss_gradient(y, raw)
        if sample_weight is None:
            grad_raw *= scale
        else:
            grad_raw *= (sample_weight * scale)[:, None]
        return _weighted_sum(values, sample_weight), grad_raw

    def value(self, y, raw, sample_weight=None):
        """Weighted loss sum ``sum_i w_i * sum_k loss_ik`` (no gradient)."""
        return _weighted_sum(self.loss(y, raw), sample_weight)


def _weighted_sum(values, sample_weight):
    """Sum of per-sample losses (summed over outputs), weighted."""
    if sample_weight is None:
        return float(values.sum())
    return float(values.reshape(len(sample_weight), -1).sum(axis=1) @ sample_weight)


class SquaredError(Loss):
    """Half squared error ``(raw - y) ** 2 / 2``, summed over outputs.

    Examples
    --------
    >>> from skprop import BackpropRegressor
    >>> model = BackpropRegressor(loss="squared_error")
    """

    def loss(self, y, raw):
        residual = raw - y
        return 0.5 * residual * residual

    def gradient(self, y, raw):
        return raw - y


class AbsoluteError(Loss):
    """Absolute error ``|raw - y|``: a conditional median, robust to outliers.

    Examples
    --------
    >>> from skprop import BackpropRegressor
    >>> model = BackpropRegressor(loss="absolute_error")
    """

    def loss(self, y, raw):
        return np.abs(raw - y)

    def gradient(self, y, raw):
        return np.sign(raw - y)


class Huber(Loss):
    """Squared error for residuals up to `delta`, absolute error beyond.

    Parameters
    ----------
    delta : float, default=1.0
        Residual size where the loss turns from quadratic to linear.

    Examples
    --------
    >>> from skprop import BackpropRegressor
    >>> from skprop.losses import Huber
    >>> model = BackpropRegressor(loss=Huber(delta=0.5))
    """

    _parameter_constraints = {"delta": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, delta=1.0):
        self.delta = delta

    def loss(self, y, raw):
        abs_residual = np.abs(raw - y)
        quadratic = 0.5 * abs_residual * abs_residual
        linear = self.delta * (abs_residual - 0.5 * self.delta)
        return np.where(abs_residual <= self.delta, quadratic, linear)

    def gradient(self, y, raw):
        return np.clip(raw - y, -self.delta, self.delta)


class Quantile(Loss):
    """Pinball loss: predicts the `quantile` of the target's distribution.

    Parameters
    ----------
    quantile : float, default=0.5
        Quantile to predict, in (0, 1); 0.5 gives half the absolute error.

    Examples
    --------
    >>> from skprop import BackpropRegressor
    >>> from skprop.losses import Quantile
    >>> upper = BackpropRegressor(loss=Quantile(quantile=0.9))
    """

    _parameter_constraints = {
        "quantile": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(self, quantile=0.5):
        self.quantile = quantile

    def loss(self, y, raw):
        residual = y - raw
        return np.maximum(self.quantile * residual, (self.quantile - 1) * residual)

    def gradient(self, y, raw):
        return np.where(y > raw, -self.quantile, 1.0 - self.quantile).astype(raw.dtype)


class Poisson(Loss):
    """Half Poisson deviance with a log link: predictions are ``exp(raw)``.

    For non-negative targets such as counts.

    Examples
    --------
    >>> from skprop import BackpropRegressor
    >>> model = BackpropRegressor(loss="poisson")
    """

    link = LogLink()
    positive_target = True

    def loss(self, y, raw):
        return xlogy(y, y) - y - y * raw + safe_exp(raw)

    def gradient(self, y, raw):
        return safe_exp(raw) - y

    def loss_gradient(self, y, raw):
        predicted = safe_exp(raw)
        return xlogy(y, y) - y - y * raw + predicted, predicted - y

    def check_target(self, y):
        if np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for "
                "the Poisson loss."
            )


class LogLoss(Loss):
    """Cross-entropy, fused with its output activation.

    Binary and multilabel targets use independent logistic outputs
    (gradient ``expit(raw) - y``); multiclass targets use a softmax (gradient
    ``softmax(raw) - y``). Both are computed from the logits without
    overflow.

    Parameters
    ----------
    label_smoothing : float, default=0.0
        Trains on targets moved towards uniform: ``y * (1 - label_smoothing)
        + label_smoothing / k``, with ``k`` the number of classes (2 for each
        logistic output). Predictions and scores use the labels as given.

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> from skprop.losses import LogLoss
    >>> model = BackpropClassifier(loss=LogLoss(label_smoothing=0.1))
    """

    link = LogitLink()
    is_classification = True
    _parameter_constraints = {
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(self, label_smoothing=0.0):
        self.label_smoothing = label_smoothing

    def _smoothed(self, y, n_classes=2):
        """The training targets: `y` itself without smoothing."""
        if not self.label_smoothing:
            return y
        return y * (1.0 - self.label_smoothing) + self.label_smoothing / n_classes

    def loss(self, y, raw):
        y = self._smoothed(y)
        return np.logaddexp(0.0, raw) - y * raw

    def gradient(self, y, raw):
        return expit(raw) - self._smoothed(y)

    def for_target(self, target_type):
        if target_type == "multiclass":
            return _SoftmaxLogLoss(label_smoothing=self.label_smoothing)
        return self


class _SoftmaxLogLoss(LogLoss):
    """Multiclass cross-entropy over a softmax output."""

    link = SoftmaxLink()

    def loss(self, y, raw):
        return -self._smoothed(y, y.shape[1]) * log_softmax(raw)

    def gradient(self, y, raw):
        return np.exp(log_softmax(raw)) - self._smoothed(y, y.shape[1])

    def loss_gradient(self, y, raw):
        y = self._smoothed(y, y.shape[1])
        log_proba = log_softmax(raw)
        return -y * log_proba, np.exp(log_proba) - y

    def for_target(self, target_type):
        return self


_REGISTRY = {
    "squared_error": SquaredError,
    "absolute_error": AbsoluteError,
    "huber": Huber,
    "quantile": Quantile,
    "poisson": Poisson,
    "log_loss": LogLoss,
}
