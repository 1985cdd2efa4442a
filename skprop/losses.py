"""Losses and the output links that turn raw network output into predictions.

A loss gives, elementwise, its value and its gradient with respect to the raw
network output (the last layer's ``z``, before the link). Sample weighting and
summing are done once, in the base class.
"""

import math
from numbers import Real

import numpy as np
from scipy.special import expit, log_expit, logsumexp, xlogy
from sklearn.utils._param_validation import Interval

from skprop._component import Component
from skprop._ops import xp_log_softmax, xp_sigmoid, xp_softplus


class Link(Component):
    """Base class of output links.

    A link's `inverse` maps the raw network output to the prediction (the
    "output activation"); `out_activation` is its name, as in scikit-learn's
    MLP ``out_activation_``. The methods ending in ``_xp`` do the same for
    arrays of an Array API namespace `xp`; a link that implements them
    sets ``array_api_support = True``.

    `output_kind` says what `inverse` gives: "value" (any value, for
    regression), "probability" (a probability per output: binary and
    multilabel targets) or "distribution" (each row a probability
    distribution over the outputs: multiclass targets).
    `BackpropClassifier` checks it against the targets before training.
    """

    out_activation = "identity"
    output_kind = "value"
    array_api_support = False

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

    def inverse_xp(self, raw, xp):
        """`inverse` for arrays of the Array API namespace `xp`."""
        return raw

    def log_inverse_xp(self, raw, xp):
        """`log_inverse` for arrays of the Array API namespace `xp`."""
        return xp.log(self.inverse_xp(raw, xp))

    def complement_xp(self, raw, xp):
        """`complement` for arrays of the Array API namespace `xp`."""
        return 1.0 - self.inverse_xp(raw, xp)

    def log_complement_xp(self, raw, xp):
        """`log_complement` for arrays of the Array API namespace `xp`."""
        return xp.log(self.complement_xp(raw, xp))

    def scores(self, raw):
        """The scores a classifier's ``decision_function`` reports: the raw
        output itself."""
        return raw

    def scores_xp(self, raw, xp):
        """`scores` for arrays of the Array API namespace `xp`."""
        return raw


class IdentityLink(Link):
    """Predictions are the raw output."""

    array_api_support = True


class LogitLink(Link):
    """Independent probabilities ``expit(raw)``: binary and multilabel."""

    array_api_support = True
    out_activation = "logistic"
    output_kind = "probability"

    def inverse(self, raw):
        return expit(raw)

    def complement(self, raw):
        return expit(-raw)

    def log_inverse(self, raw):
        return log_expit(raw)

    def log_complement(self, raw):
        return log_expit(-raw)

    def inverse_xp(self, raw, xp):
        return xp_sigmoid(raw, xp)

    def complement_xp(self, raw, xp):
        return xp_sigmoid(-raw, xp)

    def log_inverse_xp(self, raw, xp):
        return -xp_softplus(-raw, xp)

    def log_complement_xp(self, raw, xp):
        return -xp_softplus(raw, xp)


class SoftmaxLink(Link):
    """Probabilities over classes: ``softmax(raw)`` row by row."""

    array_api_support = True
    out_activation = "softmax"
    output_kind = "distribution"

    def inverse(self, raw):
        return np.exp(_log_softmax(raw))

    def log_inverse(self, raw):
        return _log_softmax(raw)

    def inverse_xp(self, raw, xp):
        return xp.exp(xp_log_softmax(raw, xp))

    def log_inverse_xp(self, raw, xp):
        return xp_log_softmax(raw, xp)


class LogLink(Link):
    """Positive predictions ``exp(raw)``, as for counts."""

    array_api_support = True
    out_activation = "exp"

    def inverse(self, raw):
        return _safe_exp(raw)

    def inverse_xp(self, raw, xp):
        return _xp_safe_exp(raw, xp)


class MemberMeanLink(Link):
    """The mean of the predictions of `n_members` members, each given by
    `link` on its block of the raw output.

    The link of a network with ``n_members`` members (TabM's ensembles in
    one network): raw outputs of shape ``(n_samples, n_members *
    n_outputs)`` hold the members' outputs side by side, member by member,
    and the prediction is the mean of the members' predictions -- their
    probabilities for a classifier, as TabM averages them, their values for
    a regressor. Logs of probabilities are computed from the members'
    logits (log-sum-exp), so they stay finite where a probability
    underflows.

    Parameters
    ----------
    link : Link
        Each member's link.
    n_members : int
        Number of members.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop.losses import LogitLink, MemberMeanLink
    >>> link = MemberMeanLink(LogitLink(), n_members=2)
    >>> link.inverse(np.array([[0.0, 100.0]]))  # members' p: 0.5 and 1
    array([[0.75]])
    """

    def __init__(self, link, n_members):
        self.link = link
        self.n_members = n_members

    @property
    def out_activation(self):
        return self.link.out_activation

    @property
    def output_kind(self):
        return self.link.output_kind

    @property
    def array_api_support(self):
        return self.link.array_api_support

    def _rows(self, raw):
        """Raw outputs ``(n, k * m)`` as one row per sample and member."""
        return raw.reshape(-1, raw.shape[1] // self.n_members)

    def _mean(self, values, n_samples):
        """The members' mean of per-member rows."""
        return values.reshape(n_samples, self.n_members, -1).mean(axis=1)

    def _log_mean(self, logs, n_samples):
        """``log(mean(exp(logs)))`` over the members, without overflow."""
        logs = logs.reshape(n_samples, self.n_members, -1)
        return logsumexp(logs, axis=1) - math.log(self.n_members)

    def inverse(self, raw):
        return self._mean(self.link.inverse(self._rows(raw)), raw.shape[0])

    def complement(self, raw):
        return self._mean(self.link.complement(self._rows(raw)), raw.shape[0])

    def log_inverse(self, raw):
        return self._log_mean(self.link.log_inverse(self._rows(raw)), raw.shape[0])

    def log_complement(self, raw):
        logs = self.link.log_complement(self._rows(raw))
        return self._log_mean(logs, raw.shape[0])

    def scores(self, raw):
        """Raw scores that each member's link would turn into the mean
        prediction: for probabilities ``log(p / (1 - p))`` of the mean
        probability p, for distributions ``log(p)`` (its softmax is p), for
        values the members' mean raw output."""
        if self.output_kind == "probability":
            return self.log_inverse(raw) - self.log_complement(raw)
        if self.output_kind == "distribution":
            return self.log_inverse(raw)
        return self._mean(self._rows(raw), raw.shape[0])

    def _rows_xp(self, raw, xp):
        return xp.reshape(raw, (-1, raw.shape[1] // self.n_members))

    def _mean_xp(self, values, n_samples, xp):
        return xp.mean(xp.reshape(values, (n_samples, self.n_members, -1)), axis=1)

    def _log_mean_xp(self, logs, n_samples, xp):
        logs = xp.reshape(logs, (n_samples, self.n_members, -1))
        largest = xp.max(logs, axis=1, keepdims=True)
        summed = xp.sum(xp.exp(logs - largest), axis=1)
        return xp.log(summed) + largest[:, 0, :] - math.log(self.n_members)

    def inverse_xp(self, raw, xp):
        values = self.link.inverse_xp(self._rows_xp(raw, xp), xp)
        return self._mean_xp(values, raw.shape[0], xp)

    def complement_xp(self, raw, xp):
        values = self.link.complement_xp(self._rows_xp(raw, xp), xp)
        return self._mean_xp(values, raw.shape[0], xp)

    def log_inverse_xp(self, raw, xp):
        logs = self.link.log_inverse_xp(self._rows_xp(raw, xp), xp)
        return self._log_mean_xp(logs, raw.shape[0], xp)

    def log_complement_xp(self, raw, xp):
        logs = self.link.log_complement_xp(self._rows_xp(raw, xp), xp)
        return self._log_mean_xp(logs, raw.shape[0], xp)

    def scores_xp(self, raw, xp):
        if self.output_kind == "probability":
            return self.log_inverse_xp(raw, xp) - self.log_complement_xp(raw, xp)
        if self.output_kind == "distribution":
            return self.log_inverse_xp(raw, xp)
        return self._mean_xp(self._rows_xp(raw, xp), raw.shape[0], xp)


def _xp_safe_exp(raw, xp):
    """`_safe_exp` for arrays of the Array API namespace `xp`."""
    limit = math.log(xp.finfo(raw.dtype).max) - 1.0
    return xp.exp(xp.clip(raw, max=limit))


def _log_softmax(raw):
    """Row-wise log-softmax, stable for any finite logits."""
    shifted = raw - raw.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _safe_exp(raw):
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
    array_api_support : bool
        Whether the loss also implements `loss_xp` and `gradient_xp` (or
        `loss_gradient_xp`), the same for arrays of an Array API namespace
        ``xp`` (torch, CuPy, array-api-strict), which training on such
        arrays needs. Its `link` must support them too.

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
    array_api_support = False

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

    def loss_xp(self, y, raw, xp):
        """`loss` for arrays of the Array API namespace `xp`."""
        raise NotImplementedError

    def gradient_xp(self, y, raw, xp):
        """`gradient` for arrays of the Array API namespace `xp`."""
        raise NotImplementedError

    def loss_gradient_xp(self, y, raw, xp):
        """Both `loss_xp` and `gradient_xp`."""
        return self.loss_xp(y, raw, xp), self.gradient_xp(y, raw, xp)

    def weighted_xp(self, y, raw, sample_weight, scale, xp):
        """`weighted` for arrays of the Array API namespace `xp`; the total
        is a 0-d array, so that it stays on the device."""
        values, grad_raw = self.loss_gradient_xp(y, raw, xp)
        if sample_weight is None:
            return xp.sum(values), grad_raw * scale
        weight = xp.reshape(sample_weight, (-1, 1))
        return _weighted_sum_xp(values, weight, xp), grad_raw * (weight * scale)

    def value_xp(self, y, raw, sample_weight, xp):
        """`value` for arrays of the Array API namespace `xp` (a 0-d array)."""
        values = self.loss_xp(y, raw, xp)
        if sample_weight is None:
            return xp.sum(values)
        return _weighted_sum_xp(values, xp.reshape(sample_weight, (-1, 1)), xp)


def _weighted_sum(values, sample_weight):
    """Sum of per-sample losses (summed over outputs), weighted."""
    if sample_weight is None:
        return float(values.sum())
    return float(values.reshape(len(sample_weight), -1).sum(axis=1) @ sample_weight)


def _weighted_sum_xp(values, weight, xp):
    """`_weighted_sum` on the device: `weight` is a column."""
    return xp.sum(xp.sum(values, axis=1, keepdims=True) * weight)


class SquaredError(Loss):
    """Half squared error ``(raw - y) ** 2 / 2``, summed over outputs.

    Examples
    --------
    >>> from skprop import BackpropRegressor
    >>> model = BackpropRegressor(loss="squared_error")
    """

    array_api_support = True

    def loss(self, y, raw):
        residual = raw - y
        return 0.5 * residual * residual

    def gradient(self, y, raw):
        return raw - y

    def loss_xp(self, y, raw, xp):
        return self.loss(y, raw)

    def gradient_xp(self, y, raw, xp):
        return raw - y


class AbsoluteError(Loss):
    """Absolute error ``|raw - y|``: a conditional median, robust to outliers.

    Examples
    --------
    >>> from skprop import BackpropRegressor
    >>> model = BackpropRegressor(loss="absolute_error")
    """

    array_api_support = True

    def loss(self, y, raw):
        return np.abs(raw - y)

    def gradient(self, y, raw):
        return np.sign(raw - y)

    def loss_xp(self, y, raw, xp):
        return xp.abs(raw - y)

    def gradient_xp(self, y, raw, xp):
        return xp.sign(raw - y)


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

    array_api_support = True

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

    def loss_xp(self, y, raw, xp):
        abs_residual = xp.abs(raw - y)
        quadratic = 0.5 * abs_residual * abs_residual
        linear = self.delta * (abs_residual - 0.5 * self.delta)
        return xp.where(abs_residual <= self.delta, quadratic, linear)

    def gradient_xp(self, y, raw, xp):
        return xp.clip(raw - y, min=-self.delta, max=self.delta)


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

    array_api_support = True

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

    def loss_xp(self, y, raw, xp):
        residual = y - raw
        return xp.maximum(self.quantile * residual, (self.quantile - 1) * residual)

    def gradient_xp(self, y, raw, xp):
        return (1.0 - self.quantile) - xp.astype(y > raw, raw.dtype)


class Poisson(Loss):
    """Half Poisson deviance with a log link: predictions are ``exp(raw)``.

    For non-negative targets such as counts.

    Examples
    --------
    >>> from skprop import BackpropRegressor
    >>> model = BackpropRegressor(loss="poisson")
    """

    array_api_support = True

    link = LogLink()
    positive_target = True

    def loss(self, y, raw):
        return xlogy(y, y) - y - y * raw + _safe_exp(raw)

    def gradient(self, y, raw):
        return _safe_exp(raw) - y

    def loss_gradient(self, y, raw):
        predicted = _safe_exp(raw)
        return xlogy(y, y) - y - y * raw + predicted, predicted - y

    def check_target(self, y):
        if np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for "
                "the Poisson loss."
            )

    def loss_gradient_xp(self, y, raw, xp):
        predicted = _xp_safe_exp(raw, xp)
        # xlogy(y, y): 0 where y is 0.
        positive = xp.where(y > 0, y, xp.ones_like(y))
        return y * xp.log(positive) - y - y * raw + predicted, predicted - y

    def loss_xp(self, y, raw, xp):
        return self.loss_gradient_xp(y, raw, xp)[0]


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

    array_api_support = True

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

    def loss_xp(self, y, raw, xp):
        return xp_softplus(raw, xp) - self._smoothed(y) * raw

    def gradient_xp(self, y, raw, xp):
        return xp_sigmoid(raw, xp) - self._smoothed(y)


class _SoftmaxLogLoss(LogLoss):
    """Multiclass cross-entropy over a softmax output."""

    link = SoftmaxLink()

    def loss(self, y, raw):
        return -self._smoothed(y, y.shape[1]) * _log_softmax(raw)

    def gradient(self, y, raw):
        return np.exp(_log_softmax(raw)) - self._smoothed(y, y.shape[1])

    def loss_gradient(self, y, raw):
        y = self._smoothed(y, y.shape[1])
        log_proba = _log_softmax(raw)
        return -y * log_proba, np.exp(log_proba) - y

    def for_target(self, target_type):
        return self

    def loss_gradient_xp(self, y, raw, xp):
        y = self._smoothed(y, y.shape[1])
        log_proba = xp_log_softmax(raw, xp)
        return -y * log_proba, xp.exp(log_proba) - y

    def loss_xp(self, y, raw, xp):
        return self.loss_gradient_xp(y, raw, xp)[0]


class _MemberMean(Loss):
    """The mean over `n_members` members of `loss` on each member's block of
    the raw output ``(n_samples, n_members * n_outputs)``: the objective of
    an ensemble in one network (`skprop._ensemble`), whose link is the
    members' mean prediction (`MemberMeanLink`).

    Each member's block is scored against the same targets and weights,
    as one row per sample and member, so every loss (the softmax's rows
    included) applies unchanged; the total and the gradient are divided by
    `n_members`.
    """

    def __init__(self, loss, n_members):
        self.loss = loss
        self.n_members = n_members

    @property
    def link(self):
        return MemberMeanLink(self.loss.link, self.n_members)

    @property
    def is_classification(self):
        return self.loss.is_classification

    @property
    def positive_target(self):
        return self.loss.positive_target

    @property
    def array_api_support(self):
        return self.loss.array_api_support

    def check_target(self, y):
        self.loss.check_target(y)

    def _rows(self, y, raw, sample_weight):
        """Targets, raw outputs and weights as one row per sample and member."""
        k = self.n_members
        weight = None if sample_weight is None else np.repeat(sample_weight, k)
        return np.repeat(y, k, axis=0), raw.reshape(-1, y.shape[1]), weight

    def weighted(self, y, raw, sample_weight=None, scale=1.0):
        rows = self._rows(y, raw, sample_weight)
        total, grad_raw = self.loss.weighted(*rows, scale / self.n_members)
        return total / self.n_members, grad_raw.reshape(raw.shape)

    def value(self, y, raw, sample_weight=None):
        return self.loss.value(*self._rows(y, raw, sample_weight)) / self.n_members

    def _rows_xp(self, y, raw, sample_weight, xp):
        k, (n, m) = self.n_members, y.shape
        y = xp.reshape(xp.broadcast_to(xp.expand_dims(y, axis=1), (n, k, m)), (-1, m))
        if sample_weight is not None:
            weight = xp.broadcast_to(xp.expand_dims(sample_weight, axis=1), (n, k))
            sample_weight = xp.reshape(weight, (-1,))
        return y, xp.reshape(raw, (-1, m)), sample_weight

    def weighted_xp(self, y, raw, sample_weight, scale, xp):
        rows = self._rows_xp(y, raw, sample_weight, xp)
        total, grad_raw = self.loss.weighted_xp(*rows, scale / self.n_members, xp)
        return total / self.n_members, xp.reshape(grad_raw, raw.shape)

    def value_xp(self, y, raw, sample_weight, xp):
        rows = self._rows_xp(y, raw, sample_weight, xp)
        return self.loss.value_xp(*rows, xp) / self.n_members


_REGISTRY = {
    "squared_error": SquaredError,
    "absolute_error": AbsoluteError,
    "huber": Huber,
    "quantile": Quantile,
    "poisson": Poisson,
    "log_loss": LogLoss,
}
