"""Central finite differences for gradient checks."""

import numpy as np


def numerical_gradient(function, x, step=1e-6):
    """Central-difference gradient of a scalar `function` at `x` (float64)."""
    x = np.array(x, dtype=np.float64)
    grad = np.empty_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        saved = flat_x[i]
        flat_x[i] = saved + step
        upper = function(x)
        flat_x[i] = saved - step
        lower = function(x)
        flat_x[i] = saved
        flat_grad[i] = (upper - lower) / (2 * step)
    return grad


def relative_error(analytic, numeric):
    """Norm of the difference over the larger norm (0 when both vanish)."""
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric))
    if scale == 0:
        return 0.0
    return np.linalg.norm(np.asarray(analytic) - np.asarray(numeric)) / scale
