"""Numeric helpers shared by the engine and the parts: blocked elementwise
passes, and matrix products that take a sparse left operand.

This is the only engine module that parts (losses, optimizers, activations)
may import.
"""

import math

import numpy as np
from scipy import sparse

# Elements per block in `blocks`: a few such blocks of each vector an
# elementwise chain touches fit in a core's cache together.
BLOCK_SIZE = 2**17


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
