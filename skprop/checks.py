"""Checks of user-written parts, in the spirit of scikit-learn's
`check_estimator`.

A user-written loss or activation gives its derivative by hand.
`check_part` compares it, in float64, with central finite differences of
the part's own values, and checks the contract the engine relies on:
shapes, finite values, a link that gives probabilities where the loss is
for classification, the ``*_xp`` forms where `array_api_support` is
declared, and ``get_params`` / ``clone``. The package's own tests run it
over every built-in part.

Points closer to a kink than the finite-difference step (where the two
one-sided differences disagree, such as ReLU at 0) are left out of the
derivative checks; pass your own points to test elsewhere.
"""

import numpy as np
from sklearn.base import clone

from skprop._numeric import array_namespace, to_numpy
from skprop.activations import Activation
from skprop.losses import Link, Loss

# Relative step of the central differences, and the relative tolerance
# their comparison allows (truncation and rounding stay far below it).
_STEP = 1e-6
_RTOL = 1e-5


class PartCheckError(AssertionError):
    """A part failed a check of `check_part`.

    The message names the check, the worst element (its index and inputs),
    the value expected and the value got, and what to fix.
    """


def check_part(part, **points):
    """Check a user-written loss, link or activation; raise on the first
    failure.

    Dispatches on the part's base class to `check_loss`, `check_link` or
    `check_activation`.

    Parameters
    ----------
    part : Loss, Link or Activation
        The part to check, with the hyper-parameters it will be used with.
    **points : ndarray
        Where to check it instead of the default random points: ``y`` and
        ``raw`` for a loss, ``raw`` for a link, ``z`` for an activation.

    Returns
    -------
    part : Loss, Link or Activation
        The part itself, when every check passes.

    Raises
    ------
    PartCheckError
        An `AssertionError` whose message names the failed check, the worst
        element, expected and got values, and what to fix.
    TypeError
        When `part` is none of the parts above.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop.checks import PartCheckError, check_part
    >>> from skprop.losses import Loss
    >>> class LogCosh(Loss):
    ...     def loss(self, y, raw):
    ...         return np.logaddexp(raw - y, y - raw) - np.log(2.0)
    ...     def gradient(self, y, raw):
    ...         return np.tanh(raw - y)
    >>> check_part(LogCosh())
    LogCosh()
    >>> class Wrong(LogCosh):
    ...     def gradient(self, y, raw):
    ...         return 2 * np.tanh(raw - y)
    >>> try:
    ...     check_part(Wrong())
    ... except PartCheckError as error:
    ...     print(error)  # doctest: +ELLIPSIS
    Wrong() failed the check 'gradient': gradient(y, raw) is not the ...
    Worst element (0, 0) (y=-0.735948, raw=1.76405): expected 0.986614, got 1.97323 ...
    To fix: return d loss[i, k] / d raw[i, k] elementwise (check its sign ...
    """
    for base, check in (
        (Loss, check_loss),
        (Link, check_link),
        (Activation, check_activation),
    ):
        if isinstance(part, base):
            return check(part, **points)
    raise TypeError(
        "check_part checks a skprop.losses.Loss, a skprop.losses.Link or a "
        f"skprop.activations.Activation; got {type(part).__name__}."
    )


def check_loss(loss, y=None, raw=None, *, random_state=0):
    """Check a loss and its link.

    Checks, in this order: `validate`, ``get_params`` and `clone`; that
    ``loss(y, raw)`` and ``gradient(y, raw)`` give finite arrays of raw's
    shape (one value per sample and output), `loss_gradient` agreeing with
    them; `gradient` against central finite differences of `loss`; the link
    (`check_link`), which must give probabilities for a classification loss;
    and the ``*_xp`` forms when the loss declares `array_api_support`.

    Parameters
    ----------
    loss : Loss
    y : ndarray of shape (n_samples, n_outputs), default=None
        Targets in the loss's domain; by default random ones that fit it
        (0/1 indicators, one-hot rows for a softmax link, non-negative
        values when `positive_target`, else residuals of 0.3 to 2.5).
    raw : ndarray of shape (n_samples, n_outputs), default=None
        Raw network output; by default standard normal draws.
    random_state : int, default=0
        Seed of the default points.

    Returns
    -------
    loss : Loss
        The loss itself, when every check passes.

    Raises
    ------
    PartCheckError
        Naming the failed check, the worst element and what to fix.

    Examples
    --------
    >>> from skprop.checks import check_loss
    >>> from skprop.losses import Huber
    >>> check_loss(Huber(delta=0.5))
    Huber(delta=0.5)
    """
    _check_params(loss)
    y, raw = _loss_points(loss, y, raw, random_state)
    values = _call(loss, "loss shape", loss.loss, y, raw)
    _check_array(loss, "loss shape", "loss(y, raw)", values, raw.shape, _LOSS_SHAPE)
    grad = _call(loss, "gradient shape", loss.gradient, y, raw)
    _check_array(loss, "gradient shape", "gradient(y, raw)", grad, raw.shape, "")
    both = _call(loss, "loss_gradient", loss.loss_gradient, y.copy(), raw.copy())
    inputs = {"y": y, "raw": raw}
    for name, got, expected in zip(("values", "gradient"), both, (values, grad)):
        _assert_close(
            loss,
            "loss_gradient",
            f"loss_gradient(y, raw)'s {name} differ from loss / gradient.",
            np.asarray(got),
            expected,
            "make loss_gradient return (loss(y, raw), gradient(y, raw)).",
            inputs,
        )
    numeric, smooth = _loss_derivative(loss, y, raw)
    _assert_close(
        loss,
        "gradient",
        "gradient(y, raw) is not the derivative of loss(y, raw) with respect to raw.",
        grad,
        numeric,
        "return d loss[i, k] / d raw[i, k] elementwise (check its sign and "
        "any factor such as the 1/2 of a squared error).",
        inputs,
        smooth,
    )
    link = loss.link
    if loss.is_classification and link.output_kind == "value":
        _fail(
            loss,
            "link",
            f"the loss is for classification (is_classification = True), but "
            f"its link {type(link).__name__} gives no probabilities (output_kind "
            "'value').",
            "set link = LogitLink() (binary / multilabel) or SoftmaxLink() "
            "(multiclass).",
        )
    try:
        check_link(link, raw)
    except PartCheckError as error:
        raise PartCheckError(f"The link of {loss!r}: {error}") from None
    if loss.array_api_support:
        _check_loss_xp(loss, y, raw, values, grad)
    return loss


def check_link(link, raw=None, *, random_state=0):
    """Check an output link.

    `inverse` must give finite predictions of raw's shape; for an
    ``output_kind`` of "probability" they lie in [0, 1], for "distribution"
    each row also sums to 1; `complement`, `log_inverse` and
    `log_complement` agree with `inverse`; and the ``*_xp`` forms agree
    with the NumPy ones when the link declares `array_api_support`.

    Parameters
    ----------
    link : Link
    raw : ndarray of shape (n_samples, n_outputs), default=None
        Raw network output; by default standard normal draws.
    random_state : int, default=0
        Seed of the default points.

    Returns
    -------
    link : Link
        The link itself, when every check passes.

    Raises
    ------
    PartCheckError
        Naming the failed check, the worst element and what to fix.

    Examples
    --------
    >>> from skprop.checks import check_link
    >>> from skprop.losses import SoftmaxLink
    >>> check_link(SoftmaxLink())
    SoftmaxLink()
    """
    _check_params(link)
    if raw is None:
        raw = np.random.RandomState(random_state).normal(size=(8, 3))
    raw = np.asarray(raw, dtype=np.float64)
    inputs = {"raw": raw}
    pred = _call(link, "link shape", link.inverse, raw.copy())
    fix = "inverse(raw) maps each row of raw to the prediction of that row."
    _check_array(link, "link shape", "inverse(raw)", pred, raw.shape, fix)
    kind = link.output_kind
    if kind not in ("value", "probability", "distribution"):
        _fail(
            link,
            "link output_kind",
            f"output_kind is {kind!r}.",
            "set output_kind to 'value', 'probability' or 'distribution'.",
        )
    if kind != "value":
        _check_probabilities(link, pred, inputs)
    if kind == "distribution":
        _assert_close(
            link,
            "link rows sum to 1",
            "the rows of inverse(raw) do not sum to 1.",
            pred.sum(axis=1, keepdims=True),
            np.ones((len(raw), 1)),
            "normalise each row, e.g. a softmax over the outputs; or set "
            "output_kind = 'probability' for independent probabilities.",
            {},
        )
    if kind != "value":
        _check_link_logs(link, raw, pred, inputs)
    if link.array_api_support:
        _check_link_xp(link, raw, pred)
    return link


def check_activation(activation, z=None, *, random_state=0):
    """Check a hidden-layer activation.

    Checks `validate`, ``get_params`` and `clone`; that ``forward(z,
    out=...)`` gives finite values of z's shape, as the engine calls it
    (``out`` is ``z`` itself when `inplace`, else a separate buffer that
    must leave ``z`` unchanged); `derivative` against central finite
    differences of `forward` (called with ``z=None`` when `inplace`, as
    the engine calls it); that `backward` multiplies its gradient in place
    by the derivative; and the ``*_xp`` forms when the activation declares
    `array_api_support`.

    Parameters
    ----------
    activation : Activation
    z : ndarray of shape (n_samples, n_units), default=None
        Pre-activations; by default random values at least 0.05 from 0.
    random_state : int, default=0
        Seed of the default points.

    Returns
    -------
    activation : Activation
        The activation itself, when every check passes.

    Raises
    ------
    PartCheckError
        Naming the failed check, the worst element and what to fix.

    Examples
    --------
    >>> from skprop.activations import ELU
    >>> from skprop.checks import check_activation
    >>> check_activation(ELU(alpha=0.5))
    ELU(alpha=0.5)
    """
    _check_params(activation)
    rng = np.random.RandomState(random_state)
    if z is None:
        z = rng.uniform(0.05, 2.0, size=(6, 4)) * rng.choice([-1.0, 1.0], (6, 4))
    z = np.asarray(z, dtype=np.float64)
    a = _forward(activation, z)
    inputs = {"z": z}
    numeric, smooth = _activation_derivative(activation, z)
    z_arg = None if activation.inplace else z.copy()
    derivative = _call(
        activation, "derivative", activation.derivative, z_arg, a.copy(), inplace=True
    )
    _check_array(activation, "derivative", "derivative(z, a)", derivative, z.shape, "")
    _assert_close(
        activation,
        "derivative",
        "derivative(z, a) is not the derivative of forward(z).",
        derivative,
        numeric,
        "return d forward(z) / dz elementwise.",
        inputs,
        smooth,
    )
    upstream = rng.normal(size=z.shape)
    grad = upstream.copy()
    _call(activation, "backward", activation.backward, z_arg, a.copy(), grad)
    _assert_close(
        activation,
        "backward",
        "backward(z, a, grad) does not multiply grad in place by the derivative.",
        grad,
        upstream * numeric,
        "multiply grad in place (grad *= ...) by d forward(z) / dz; or remove "
        "backward and let the base class use derivative.",
        inputs,
        smooth,
    )
    if activation.array_api_support:
        _check_activation_xp(activation, z, a, numeric, smooth)
    return activation


# ----------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------

_LOSS_SHAPE = (
    "return one value per sample and output, of raw's shape (n_samples, "
    "n_outputs): the base class sums over outputs and weighs samples."
)


def _fail(part, check, problem, fix, detail=None):
    """Raise `PartCheckError` naming the part, the check and the fix."""
    lines = [f"{part!r} failed the check {check!r}: {problem}"]
    if detail:
        lines.append(detail)
    lines.append(f"To fix: {fix}")
    raise PartCheckError("\n".join(lines))


def _call(part, check, method, *args, inplace=False):
    """``method(*args)``; an error in it fails `check`."""
    try:
        return method(*args)
    except Exception as error:
        fix = f"{method.__name__} must accept the arguments the engine passes."
        if inplace and getattr(part, "inplace", False):
            fix = (
                "with inplace = True the engine calls derivative(None, a): "
                "compute it from a alone, or set inplace = False."
            )
        _fail(
            part,
            check,
            f"{method.__name__} raised {type(error).__name__}: {error}",
            fix,
        )


def _check_params(part):
    """`validate`, and ``get_params`` / `clone` that keep the parameters."""
    try:
        part.validate()
        copy = clone(part)
        same = _same_params(copy, part)
    except Exception as error:
        _fail(
            part,
            "parameters",
            f"validate, get_params or clone raised {type(error).__name__}: {error}",
            "__init__ must store each argument, unchanged, under its own name "
            "(and nothing else), as scikit-learn's estimators do.",
        )
    if not same:
        _fail(
            part,
            "parameters",
            f"clone gives {copy!r}.",
            "__init__ must store each argument, unchanged, under its own name.",
        )


def _same_params(copy, part):
    """Whether `copy` is `part`'s class with the same parameters (nested
    parts compared the same way)."""
    if type(copy) is not type(part):
        return False
    if not hasattr(part, "get_params"):
        return bool(np.all(copy == part))
    params = part.get_params(deep=False)
    copied = copy.get_params(deep=False)
    return params.keys() == copied.keys() and all(
        _same_params(copied[name], value) for name, value in params.items()
    )


def _check_array(part, check, name, array, shape, fix):
    """`array` is a finite NumPy array of `shape`."""
    if not isinstance(array, np.ndarray) or array.shape != shape:
        got = getattr(array, "shape", type(array).__name__)
        _fail(
            part,
            check,
            f"{name} has shape {got}, expected {shape}.",
            fix or f"return an array of shape {shape}.",
        )
    if not np.isfinite(array).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        _fail(
            part,
            f"{check} (finite)",
            f"{name} is not finite at {index}: {array[index]}.",
            "compute it stably (e.g. np.logaddexp, scipy.special.expit).",
        )


def _assert_close(part, check, problem, got, expected, fix, inputs, mask=None):
    """`got` within `_RTOL` of `expected` (where `mask`), else fail naming
    the worst element."""
    got = np.asarray(got, dtype=np.float64)
    error = np.abs(got - expected) / (_RTOL * np.maximum(1.0, np.abs(expected)))
    error = np.where(np.isnan(error), np.inf, error)
    if mask is not None:
        error = np.where(mask, error, 0.0)
    if error.max(initial=0.0) <= 1.0:
        return
    index = np.unravel_index(np.argmax(error), error.shape)
    at = ", ".join(
        f"{name}={values[index]:.6g}"
        for name, values in inputs.items()
        if np.isfinite(values[index])
    )
    detail = (
        f"Worst element {tuple(int(i) for i in index)}"
        + (f" ({at})" if at else "")
        + f": expected {expected[index]:.6g}, got {got[index]:.6g} "
        f"(relative tolerance {_RTOL:g})."
    )
    _fail(part, check, problem, fix, detail)


def _loss_points(loss, y, raw, random_state):
    """Float64 `y` and `raw`: the given ones, or random ones in the loss's
    domain and away from kinks at zero residual."""
    rng = np.random.RandomState(random_state)
    if raw is None:
        raw = rng.normal(size=(8, 3) if y is None else np.shape(y))
    raw = np.asarray(raw, dtype=np.float64)
    if y is None:
        if loss.link.output_kind == "distribution":
            y = np.eye(raw.shape[1])[rng.randint(raw.shape[1], size=len(raw))]
        elif loss.is_classification:
            y = rng.randint(2, size=raw.shape)
        elif loss.positive_target:
            y = rng.poisson(2.0, size=raw.shape)
        else:
            magnitude = rng.choice([0.3, 0.6, 1.7, 2.5], size=raw.shape)
            y = raw - magnitude * rng.choice([-1.0, 1.0], size=raw.shape)
    y = np.asarray(y, dtype=np.float64)
    try:
        loss.check_target(y)
    except ValueError as error:
        _fail(
            loss,
            "targets",
            f"check_target rejects the targets of the check: {error}",
            "pass targets in the loss's domain as y=..., or widen check_target.",
        )
    return y, raw


def _steps(x):
    """Central-difference steps, relative to each element's size."""
    return _STEP * np.maximum(1.0, np.abs(x))


def _smooth(lower, centre, upper, step):
    """Central differences, and where the two one-sided differences agree
    (no kink within a step)."""
    numeric = (upper - lower) / (2 * step)
    forward, backward = (upper - centre) / step, (centre - lower) / step
    smooth = np.abs(forward - backward) <= 1e-3 * np.maximum(1.0, np.abs(numeric))
    return numeric, smooth


def _loss_derivative(loss, y, raw):
    """Central differences of each sample's loss (summed over outputs) with
    respect to each element of `raw`, and where they are smooth."""
    steps = _steps(raw)
    values = np.empty((3, *raw.shape))
    for index in np.ndindex(raw.shape):
        row = index[0]
        for position, sign in enumerate((-1.0, 0.0, 1.0)):
            moved = raw.copy()
            moved[index] += sign * steps[index]
            values[(position, *index)] = loss.loss(y, moved)[row].sum()
    numeric, smooth = _smooth(*values, steps)
    _require_smooth_points(loss, smooth, "y, raw")
    return numeric, smooth


def _forward(activation, z):
    """``forward(z, out=...)`` as the engine calls it, checked."""
    check = "forward"
    fresh = _call(activation, check, activation.forward, z.copy())
    _check_array(activation, check, "forward(z)", fresh, z.shape, "")
    given = z.copy()
    buffer = given if activation.inplace else np.empty_like(z)
    result = _call(activation, check, activation.forward, given, buffer)
    inputs = {"z": z}
    fix = "forward(z, out) returns the activation, written into out if it uses it."
    problem = "forward(z, out) differs from forward(z)."
    _assert_close(activation, check, problem, result, fresh, fix, inputs)
    if not activation.inplace:
        _assert_close(
            activation,
            check,
            "forward(z, out) changed z, which derivative(z, a) needs.",
            given,
            z,
            "leave z unchanged, or set inplace = True if the derivative "
            "needs only the output.",
            inputs,
        )
    return fresh


def _activation_derivative(activation, z):
    """Central differences of `forward` (elementwise), and where they are
    smooth."""
    steps = _steps(z)
    values = [activation.forward(z + sign * steps) for sign in (-1.0, 0.0, 1.0)]
    numeric, smooth = _smooth(*values, steps)
    _require_smooth_points(activation, smooth, "z")
    return numeric, smooth


def _require_smooth_points(part, smooth, names):
    """Fail when every point sits on a kink (nothing left to compare)."""
    if not smooth.any():
        _fail(
            part,
            "derivative points",
            "every point is within a finite-difference step of a kink.",
            f"pass points ({names}) away from the kinks.",
        )


def _check_probabilities(link, pred, inputs):
    """Predictions of a probability link lie in [0, 1]."""
    outside = np.maximum(pred - 1.0, -pred)
    if outside.max() > 0:
        index = np.unravel_index(np.argmax(outside), pred.shape)
        _fail(
            link,
            "link probabilities",
            f"inverse(raw) is {pred[index]:.6g} at {tuple(map(int, index))} "
            f"(raw={inputs['raw'][index]:.6g}), outside [0, 1].",
            "map raw output to probabilities (expit, softmax), or set "
            "output_kind = 'value' if the predictions are not probabilities.",
        )


def _check_link_logs(link, raw, pred, inputs):
    """`log_inverse`, `complement` and `log_complement` agree with `inverse`."""
    pairs = [("log_inverse", np.log(pred))]
    if link.output_kind == "probability":
        complement = _call(link, "link complement", link.complement, raw.copy())
        pairs += [("complement", 1.0 - pred), ("log_complement", np.log(complement))]
    for name, expected in pairs:
        got = _call(link, f"link {name}", getattr(link, name), raw.copy())
        _assert_close(
            link,
            f"link {name}",
            f"{name}(raw) does not agree with inverse(raw).",
            got,
            expected,
            f"make {name} agree with inverse, or remove it to use the base class's.",
            inputs,
        )


# ----------------------------------------------------------------------
# The ``*_xp`` forms
# ----------------------------------------------------------------------


def _namespace():
    """array-api-strict when installed (it rejects what the standard lacks),
    else NumPy's Array API wrapper."""
    try:
        import array_api_strict

        return array_api_strict
    except ImportError:
        return array_namespace(np.zeros(1))


def _check_xp(part, check, method, args, expected, inputs, mask=None):
    """``method(*args, xp)`` on arrays of an Array API namespace agrees with
    the NumPy form's `expected`."""
    xp = _namespace()
    moved = [None if arg is None else xp.asarray(arg) for arg in args]
    got = _call(part, check, method, *moved, xp)
    _assert_close(
        part,
        check,
        f"{method.__name__} differs from the NumPy form.",
        to_numpy(got),
        expected,
        f"make {method.__name__} compute what the NumPy form computes, with "
        "the namespace's functions only (or set array_api_support = False).",
        inputs,
        mask,
    )


def _check_loss_xp(loss, y, raw, values, grad):
    """`loss_xp`, `loss_gradient_xp` against the NumPy `values` and `grad`."""
    inputs = {"y": y, "raw": raw}
    _check_xp(loss, "loss_xp", loss.loss_xp, (y, raw), values, inputs)

    def gradient_xp(y, raw, xp):
        return loss.loss_gradient_xp(y, raw, xp)[1]

    gradient_xp.__name__ = "loss_gradient_xp"
    _check_xp(loss, "gradient_xp", gradient_xp, (y, raw), grad, inputs)


def _check_link_xp(link, raw, pred):
    """`inverse_xp` and `log_inverse_xp` against the NumPy `pred`."""
    inputs = {"raw": raw}
    _check_xp(link, "link inverse_xp", link.inverse_xp, (raw,), pred, inputs)
    if link.output_kind != "value":
        log_pred = np.log(pred)
        _check_xp(link, "link log_xp", link.log_inverse_xp, (raw,), log_pred, inputs)


def _check_activation_xp(activation, z, a, derivative, smooth):
    """`forward_xp`, `derivative_xp` and `backward_xp` against NumPy's
    `a` and the finite-difference `derivative` (where `smooth`)."""
    inputs = {"z": z}
    upstream = np.random.RandomState(1).normal(size=z.shape)
    _check_xp(activation, "forward_xp", activation.forward_xp, (z,), a, inputs)
    method, args = activation.derivative_xp, (z, a)
    _check_xp(activation, "derivative_xp", method, args, derivative, inputs, smooth)
    method, args = activation.backward_xp, (z, a, upstream)
    expected = upstream * derivative
    _check_xp(activation, "backward_xp", method, args, expected, inputs, smooth)
