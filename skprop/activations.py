"""Activation functions of hidden layers.

An activation maps a layer's pre-activation ``z = a_prev @ W + b`` to its
output ``a`` elementwise, and multiplies the gradient flowing back by its
derivative.
"""

import math
from numbers import Real

import numpy as np
from scipy.special import erf, expit
from sklearn.utils._param_validation import Interval

from skprop._component import Component
from skprop._ops import xp_erf, xp_sigmoid, xp_softplus


class Activation(Component):
    """Base class of hidden-layer activations.

    A subclass implements `forward` and `derivative`. When the derivative can
    be computed from the output alone, set ``inplace = True``: the engine then
    overwrites ``z`` with the output to save memory and passes ``z=None`` to
    `derivative`.

    Attributes
    ----------
    inplace : bool
        Whether `forward` may overwrite its input and `derivative` needs only
        the output.
    init_factor : float
        Numerator of the Glorot uniform bound ``sqrt(factor / (fan_in +
        fan_out))`` used to initialise the weights, as scikit-learn's MLP: 6,
        or 2 for the logistic function.
    array_api_support : bool
        Whether the activation also implements `forward_xp` and
        `derivative_xp` (or `backward_xp`) for arrays of any Array API
        library (torch, CuPy, array-api-strict), which training on such
        arrays needs.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop.activations import Activation
    >>> class Square(Activation):
    ...     def forward(self, z, out=None):
    ...         return np.square(z, out=out)
    ...     def derivative(self, z, a):
    ...         return 2 * z
    >>> Square().forward(np.array([[2.0]]))
    array([[4.]])
    """

    inplace = False
    init_factor = 6.0
    array_api_support = False

    def forward(self, z, out=None):
        """Apply the activation elementwise.

        Parameters
        ----------
        z : ndarray of shape (n_samples, n_units)
            Pre-activation values.
        out : ndarray of the same shape, or None
            Where to write the result; may be `z` itself when `inplace`.

        Returns
        -------
        a : ndarray of shape (n_samples, n_units)
            The activation; `out` when it was given and used.
        """
        raise NotImplementedError

    def derivative(self, z, a):
        """Elementwise derivative ``da/dz``.

        Parameters
        ----------
        z : ndarray of shape (n_samples, n_units) or None
            Pre-activation values (None when `inplace`).
        a : ndarray of shape (n_samples, n_units)
            Output of `forward`.

        Returns
        -------
        d : ndarray of shape (n_samples, n_units)
        """
        raise NotImplementedError

    def backward(self, z, a, grad):
        """Multiply `grad` (the gradient with respect to ``a``) in place by
        ``da/dz``, giving the gradient with respect to ``z``.

        Parameters
        ----------
        z : ndarray or None
            Pre-activation values (None when `inplace`).
        a : ndarray
            Output of `forward`.
        grad : ndarray
            Gradient with respect to the output, overwritten.
        """
        grad *= self.derivative(z, a)

    def forward_xp(self, z, xp):
        """`forward` for an array of the Array API namespace `xp` (a new
        array: the standard has no ``out=``)."""
        raise NotImplementedError

    def derivative_xp(self, z, a, xp):
        """`derivative` for arrays of the Array API namespace `xp`; `z` is
        always given."""
        raise NotImplementedError

    def backward_xp(self, z, a, grad, xp):
        """The gradient with respect to ``z`` (a new array) from `grad`,
        the gradient with respect to ``a``."""
        return grad * self.derivative_xp(z, a, xp)


class Identity(Activation):
    """No-op activation, ``a = z``, for linear bottlenecks.

    Examples
    --------
    >>> from skprop import BackpropRegressor
    >>> model = BackpropRegressor(activation="identity")
    """

    array_api_support = True

    inplace = True

    def forward(self, z, out=None):
        if out is None or out is z:
            return z
        np.copyto(out, z)
        return out

    def derivative(self, z, a):
        return np.ones_like(a)

    def backward(self, z, a, grad):
        pass

    def forward_xp(self, z, xp):
        return z

    def derivative_xp(self, z, a, xp):
        return xp.ones_like(a)

    def backward_xp(self, z, a, grad, xp):
        return grad


class Logistic(Activation):
    """Logistic sigmoid ``a = 1 / (1 + exp(-z))``.

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> model = BackpropClassifier(activation="logistic")
    """

    array_api_support = True

    inplace = True
    init_factor = 2.0

    def forward(self, z, out=None):
        return expit(z, out=out)

    def derivative(self, z, a):
        return a * (1.0 - a)

    def backward(self, z, a, grad):
        grad *= a
        grad -= grad * a

    def forward_xp(self, z, xp):
        return xp_sigmoid(z, xp)

    def derivative_xp(self, z, a, xp):
        return a * (1.0 - a)


class Tanh(Activation):
    """Hyperbolic tangent ``a = tanh(z)``.

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> model = BackpropClassifier(activation="tanh")
    """

    array_api_support = True

    inplace = True

    def forward(self, z, out=None):
        return np.tanh(z, out=out)

    def derivative(self, z, a):
        return 1.0 - a * a

    def backward(self, z, a, grad):
        grad -= grad * (a * a)

    def forward_xp(self, z, xp):
        return xp.tanh(z)

    def derivative_xp(self, z, a, xp):
        return 1.0 - a * a


class ReLU(Activation):
    """Rectified linear unit ``a = max(z, 0)``.

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> model = BackpropClassifier(activation="relu")
    """

    array_api_support = True

    inplace = True

    def forward(self, z, out=None):
        return np.maximum(z, 0.0, out=out)

    def derivative(self, z, a):
        return (a > 0).astype(a.dtype)

    def backward(self, z, a, grad):
        # Multiplying by the boolean mask is branch-free, many times faster
        # than a masked assignment where units switch on and off at random.
        np.multiply(grad, a > 0, out=grad)

    def forward_xp(self, z, xp):
        # One kernel, NaN kept, as np.maximum.
        return xp.clip(z, min=0.0)

    def derivative_xp(self, z, a, xp):
        return xp.astype(a > 0, a.dtype)

    def backward_xp(self, z, a, grad, xp):
        return xp.where(a > 0, grad, xp.zeros_like(grad))


class LeakyReLU(Activation):
    """Leaky rectifier: ``z`` where positive, ``negative_slope * z`` elsewhere.

    Parameters
    ----------
    negative_slope : float, default=0.01
        Slope for negative inputs, in [0, 1).

    Examples
    --------
    >>> from skprop.activations import LeakyReLU
    >>> LeakyReLU(negative_slope=0.1)
    LeakyReLU(negative_slope=0.1)
    """

    array_api_support = True

    _parameter_constraints = {
        "negative_slope": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def forward(self, z, out=None):
        out = np.empty_like(z) if out is None else out
        np.copyto(out, z)
        np.multiply(z, self.negative_slope, out=out, where=z <= 0)
        return out

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, self.negative_slope).astype(z.dtype)

    def forward_xp(self, z, xp):
        return xp.where(z > 0, z, self.negative_slope * z)

    def derivative_xp(self, z, a, xp):
        return xp.where(z > 0, xp.ones_like(z), xp.full_like(z, self.negative_slope))

    def backward_xp(self, z, a, grad, xp):
        return xp.where(z > 0, grad, self.negative_slope * grad)


class ELU(Activation):
    """Exponential linear unit: ``z`` where positive, ``alpha * (exp(z) - 1)``
    elsewhere.

    Parameters
    ----------
    alpha : float, default=1.0
        Value approached for large negative inputs (as ``-alpha``).

    Examples
    --------
    >>> from skprop.activations import ELU
    >>> ELU(alpha=0.5)
    ELU(alpha=0.5)
    """

    array_api_support = True

    _parameter_constraints = {"alpha": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, z, out=None):
        out = np.empty_like(z) if out is None else out
        # Clipping the exponent avoids overflow warnings on the unused branch.
        np.minimum(z, 0.0, out=out)
        np.expm1(out, out=out)
        out *= self.alpha
        np.copyto(out, z, where=z > 0)
        return out

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, self.alpha * np.exp(np.minimum(z, 0.0))).astype(
            z.dtype
        )

    def forward_xp(self, z, xp):
        negative = xp.where(z > 0, xp.zeros_like(z), z)
        return xp.where(z > 0, z, self.alpha * xp.expm1(negative))

    def derivative_xp(self, z, a, xp):
        negative = xp.where(z > 0, xp.zeros_like(z), z)
        return xp.where(z > 0, xp.ones_like(z), self.alpha * xp.exp(negative))


# Python floats keep float32 arrays float32 (NumPy scalars would promote them).
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class GELU(Activation):
    """Gaussian error linear unit ``a = z * Phi(z)`` (exact, with ``erf``).

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> model = BackpropClassifier(activation="gelu")
    """

    array_api_support = True

    def forward(self, z, out=None):
        cdf = 0.5 * (1.0 + erf(z * _INV_SQRT2))
        return np.multiply(z, cdf, out=out)

    def derivative(self, z, a):
        cdf = 0.5 * (1.0 + erf(z * _INV_SQRT2))
        pdf = np.exp(-0.5 * z * z) * _INV_SQRT_2PI
        return (cdf + z * pdf).astype(z.dtype, copy=False)

    def forward_xp(self, z, xp):
        return z * (0.5 * (1.0 + xp_erf(z * _INV_SQRT2, xp)))

    def derivative_xp(self, z, a, xp):
        cdf = 0.5 * (1.0 + xp_erf(z * _INV_SQRT2, xp))
        pdf = xp.exp(-0.5 * z * z) * _INV_SQRT_2PI
        return cdf + z * pdf


class Softplus(Activation):
    """Smooth rectifier ``a = log(1 + exp(z))``.

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> model = BackpropClassifier(activation="softplus")
    """

    array_api_support = True

    def forward(self, z, out=None):
        return np.logaddexp(0.0, z, out=out)

    def derivative(self, z, a):
        return expit(z)

    def forward_xp(self, z, xp):
        return xp_softplus(z, xp)

    def derivative_xp(self, z, a, xp):
        return xp_sigmoid(z, xp)


class SELU(Activation):
    """Scaled exponential linear unit: ``scale * z`` where positive,
    ``scale * alpha * (exp(z) - 1)`` elsewhere, with the self-normalising
    constants of Klambauer et al. (2017).

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> model = BackpropClassifier(activation="selu")
    """

    array_api_support = True

    inplace = True
    alpha = 1.6732632423543772
    scale = 1.0507009873554805

    def forward(self, z, out=None):
        positive = z > 0
        out = np.empty_like(z) if out is None else out
        # Clipping the exponent avoids overflow warnings on the unused branch.
        negative = np.expm1(np.minimum(z, 0.0))
        negative *= self.scale * self.alpha
        np.multiply(z, self.scale, out=out)
        np.copyto(out, negative, where=~positive)
        return out

    def derivative(self, z, a):
        # From the output alone: the sign of `a` is the sign of `z`, and
        # below zero the derivative is a + scale * alpha.
        return np.where(a > 0, self.scale, a + self.scale * self.alpha).astype(
            a.dtype, copy=False
        )

    def forward_xp(self, z, xp):
        negative = xp.expm1(xp.where(z > 0, xp.zeros_like(z), z))
        return xp.where(z > 0, self.scale * z, (self.scale * self.alpha) * negative)

    def derivative_xp(self, z, a, xp):
        return xp.where(a > 0, xp.full_like(a, self.scale), a + self.scale * self.alpha)


class Mish(Activation):
    """Mish, ``a = z * tanh(softplus(z))`` (Misra, 2019): smooth, unbounded
    above, slightly negative below zero.

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> model = BackpropClassifier(activation="mish")
    """

    array_api_support = True

    def forward(self, z, out=None):
        return np.multiply(z, np.tanh(np.logaddexp(0.0, z)), out=out)

    def derivative(self, z, a):
        tanh_softplus = np.tanh(np.logaddexp(0.0, z))
        sech_squared = 1.0 - tanh_softplus * tanh_softplus
        return tanh_softplus + z * sech_squared * expit(z)

    def forward_xp(self, z, xp):
        return z * xp.tanh(xp_softplus(z, xp))

    def derivative_xp(self, z, a, xp):
        tanh_softplus = xp.tanh(xp_softplus(z, xp))
        sech_squared = 1.0 - tanh_softplus * tanh_softplus
        return tanh_softplus + z * sech_squared * xp_sigmoid(z, xp)


class Parametric(Activation):
    """A learned blend per unit of an activation and the identity,
    ``a = z + mix * (f(z) - z)``, with ``mix`` starting at 1 (RealMLP's
    parametric activations, Holzmüller et al., 2024).

    Each hidden unit learns how non-linear it is. The mixes are parameters
    of the dense layer that the activation belongs to, in the parameter
    group "activation" (no L2 penalty and no weight decay by default; its
    learning-rate factor is set through the estimator's
    ``parameter_groups``), and fitted as ``activation_params_``. It trains
    on every Array API library that its blended activation supports.

    Parameters
    ----------
    activation : str or Activation, default="selu"
        The activation ``f`` blended with the identity.

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> from skprop.activations import Parametric
    >>> model = BackpropClassifier(
    ...     activation=Parametric("selu"),
    ...     parameter_groups={"activation": {"lr_factor": 0.1}},
    ... )
    """

    parametric = True

    def __init__(self, activation="selu"):
        self.activation = activation

    @property
    def base(self):
        """The blended activation, as an object."""
        if isinstance(self.activation, str):
            if self.activation not in _REGISTRY:
                raise ValueError(
                    f"Parametric's activation must be one of {sorted(_REGISTRY)} "
                    f"or an Activation; got {self.activation!r}."
                )
            return _REGISTRY[self.activation]()
        return self.activation

    @property
    def init_factor(self):
        return self.base.init_factor

    def group(self):
        """The parameter group of the mixes, with its defaults (as
        `skprop.layers.InputLayer.group`)."""
        return dict(name="activation", l2=False, weight_decay=False)

    def validate(self):
        super().validate()
        base = self.base
        if not isinstance(base, Activation) or isinstance(base, Parametric):
            raise TypeError(
                "Parametric's activation must be a name or a non-parametric "
                f"Activation; got {type(base).__name__}."
            )
        base.validate()

    @property
    def array_api_support(self):
        return getattr(self.base, "array_api_support", False)

    def forward(self, z, out=None):
        # With every mix at 1, as it starts: the blended activation itself.
        return self.base.forward(z, out=out)

    def derivative(self, z, a):
        return self.base.derivative(z, a)

    def forward_xp(self, z, xp):
        return self.base.forward_xp(z, xp)

    def derivative_xp(self, z, a, xp):
        return self.base.derivative_xp(z, a, xp)


_REGISTRY = {
    "identity": Identity,
    "logistic": Logistic,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "gelu": GELU,
    "softplus": Softplus,
    "selu": SELU,
    "mish": Mish,
}
