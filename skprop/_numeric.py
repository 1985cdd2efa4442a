"""Numeric helpers shared by the engine and the parts: blocked elementwise
passes, and matrix products that take a sparse left operand.

This is the only engine module that parts (losses, optimizers, activations)
may import.
"""

import math

import numpy as np
from scipy import sparse
from sklearn.utils._array_api import _convert_to_numpy

try:
    from sklearn.externals.array_api_compat import array_namespace
except ImportError:  # scikit-learn < 1.7 uses the array-api-compat package
    try:
        from array_api_compat import array_namespace
    except ImportError:
        array_namespace = None

# Elements per block in `blocks`: a few such blocks of each vector an
# elementwise chain touches fit in a core's cache together.
BLOCK_SIZE = 2**17


class DivergenceError(ValueError):
    """Training diverged: its loss, weights or outputs became NaN or infinite.

    The estimator keeps the model it had before the failed call (or stays
    unfitted after a failed first fit).
    """


# scikit-learn's MLP says this when its weights end non-finite; code written
# against MLP matches on it.
NON_FINITE_WEIGHTS = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed."
)


def divergence_error(problem, epoch, weights_non_finite=False):
    """A DivergenceError saying what became non-finite, and what to do.

    Parameters
    ----------
    problem : str
        What became non-finite, e.g. "the training loss became inf".
    epoch : int
        Epoch (L-BFGS: iteration) where it was found.
    weights_non_finite : bool, default=False
        Whether the weights (or the step about to be taken) are non-finite.

    Returns
    -------
    error : DivergenceError
    """
    message = f"Training diverged at epoch {epoch}: {problem}. "
    if weights_non_finite:
        message += NON_FINITE_WEIGHTS + " "
    message += (
        "Lower the learning rate, scale the inputs (for example with "
        "StandardScaler) or set clip_grad_norm."
    )
    return DivergenceError(message)


def blocks(stop, start=0):
    """Slices covering ``[start, stop)`` of a flat vector, block by block.

    A chain of elementwise passes over large vectors (an optimizer step) runs
    faster block by block: each block stays in cache from one pass to the
    next instead of being streamed from memory once per pass.

    Parameters
    ----------
    stop : int
        End of the covered range (the vector's size for all of it).
    start : int, default=0
        Start of the covered range.

    Returns
    -------
    slices : list of slice
    """
    return [
        slice(first, min(first + BLOCK_SIZE, stop))
        for first in range(start, stop, BLOCK_SIZE)
    ]


def dot(a, b, out=None):
    """Matrix product that also takes a sparse left operand."""
    # The cheap check first: dense operands are by far the common case.
    if isinstance(a, np.ndarray) or not sparse.issparse(a):
        return np.matmul(a, b, out=out)
    result = a @ b
    if out is None:
        return result
    out[...] = result
    return out


def clip_global_norm(grad, max_norm):
    """Rescale a flat gradient in place so its norm is at most `max_norm`.

    Parameters
    ----------
    grad : ndarray of shape (n_params,)
        Gradient of every parameter, modified in place.
    max_norm : float or None
        Largest norm allowed; None leaves `grad` as it is.

    Returns
    -------
    norm : float
        Norm of `grad` before rescaling.
    """
    norm = math.sqrt(float(grad @ grad))
    if max_norm is not None and norm > max_norm:
        grad *= max_norm / norm
    return norm


# ----------------------------------------------------------------------
# The Array API path: helpers for parts that declare array_api_support.
# Each takes the array namespace `xp` of its arguments (a torch, CuPy or
# array-api-strict namespace); none of them has an `out=`, which the
# standard does not know.
# ----------------------------------------------------------------------


def copy_array(a):
    """A copy of a NumPy array or of an array of any Array API library."""
    if isinstance(a, np.ndarray):
        return a.copy()
    return array_namespace(a).asarray(a, copy=True)


def to_numpy(a):
    """`a` as a NumPy array (None, lists, NumPy and sparse arrays as they are)."""
    if a is None or isinstance(a, (np.ndarray, list, tuple)) or sparse.issparse(a):
        return a
    try:
        xp = array_namespace(a)
    except TypeError:
        return a
    return _convert_to_numpy(a, xp)


def host_dtype(dtype):
    """The NumPy dtype of an Array API float dtype."""
    if isinstance(dtype, np.dtype):
        return dtype
    return np.dtype(str(dtype).rsplit(".", 1)[-1])


def xp_sigmoid(z, xp):
    """Logistic sigmoid ``1 / (1 + exp(-z))``, without overflow (as expit)."""
    small = xp.exp(-xp.abs(z))
    return xp.where(z >= 0, 1.0 / (1.0 + small), small / (1.0 + small))


def xp_softplus(z, xp):
    """``log(1 + exp(z))``, stable for any finite `z`."""
    return xp.logaddexp(xp.zeros_like(z), z)


def xp_log_softmax(raw, xp):
    """Row-wise log-softmax, stable for any finite logits."""
    shifted = raw - xp.max(raw, axis=1, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))


def xp_erf(z, xp):
    """The error function, which the Array API standard lacks: the array
    library's own where it has one (torch, CuPy), else SciPy's on a host
    copy (array-api-strict, a library for testing)."""
    name = xp.__name__.rsplit(".", 1)[-1]
    if name == "torch":
        import torch

        return torch.special.erf(z)
    if name == "cupy":
        import cupyx.scipy.special

        return cupyx.scipy.special.erf(z)
    from scipy.special import erf

    return xp.asarray(erf(to_numpy(z)), device=z.device)


def xp_clip_global_norm(grad, max_norm, xp):
    """`clip_global_norm` on the device: the rescaled gradient and its norm
    before rescaling, both arrays, so that nothing is read back to the host.

    Parameters
    ----------
    grad : array of shape (n_params,)
    max_norm : float
    xp : namespace

    Returns
    -------
    grad : array of shape (n_params,)
    norm : array of shape ()
    """
    norm = xp.sqrt(xp.sum(grad * grad))
    # max_norm / max(norm, max_norm) is exactly 1 where no clipping is due;
    # clip takes the Python float as it is (no transfer to the device).
    return grad * (max_norm / xp.clip(norm, min=max_norm)), norm
