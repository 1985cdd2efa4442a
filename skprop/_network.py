"""The network: one flat parameter vector, per-layer views, forward and
backward passes.

Layout of the flat vector, as scikit-learn's MLP packs it for L-BFGS: every
layer's weights (row-major, shape ``(fan_in, fan_out)``), then every layer's
intercepts. Weights first makes the L2 penalty one slice: ``params[:n_coef]``.
"""

import itertools

import numpy as np
from scipy import sparse


def parameter_views(flat, layer_units):
    """Per-layer weight and intercept views into a flat vector."""
    coefs, intercepts = [], []
    start = 0
    for fan_in, fan_out in itertools.pairwise(layer_units):
        end = start + fan_in * fan_out
        coefs.append(flat[start:end].reshape(fan_in, fan_out))
        start = end
    for fan_out in layer_units[1:]:
        intercepts.append(flat[start : start + fan_out])
        start += fan_out
    return coefs, intercepts


def flatten(coefs, intercepts, dtype):
    """Copy per-layer arrays into one new contiguous vector."""
    parts = [np.ravel(c) for c in coefs] + [np.ravel(b) for b in intercepts]
    return np.concatenate(parts).astype(dtype, copy=False)


def glorot_init(layer_units, factors, rng, dtype):
    """Initial flat parameters, drawn as scikit-learn's MLP draws them.

    Layer by layer, weights then intercepts, uniform in ``+-sqrt(factor /
    (fan_in + fan_out))``, so the same seed gives MLP's initial network.
    """
    n_params = sum(a * b + b for a, b in itertools.pairwise(layer_units))
    params = np.empty(n_params, dtype=dtype)
    coefs, intercepts = parameter_views(params, layer_units)
    for coef, intercept, factor in zip(coefs, intercepts, factors):
        fan_in, fan_out = coef.shape
        bound = np.sqrt(factor / (fan_in + fan_out))
        coef[...] = rng.uniform(-bound, bound, (fan_in, fan_out))
        intercept[...] = rng.uniform(-bound, bound, fan_out)
    return params


# Elements per block in `blocks`: a few such blocks of each vector an
# elementwise chain touches fit in a core's cache together.
BLOCK_SIZE = 2**17


def blocks(size):
    """Slices covering a flat vector of `size` elements, block by block.

    A chain of elementwise passes over large vectors (an optimizer step) runs
    faster block by block: each block stays in cache from one pass to the
    next instead of being streamed from memory once per pass.
    """
    return [slice(start, start + BLOCK_SIZE) for start in range(0, size, BLOCK_SIZE)]


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


# Rows that go through the network at once in `predict_raw`: enough for
# efficient matrix products, few enough that one chunk's activations stay in
# cache and the whole data set's never exist at once.
PREDICT_CHUNK_ROWS = 4096


def predict_raw(X, coefs, intercepts, activations):
    """Raw network output for `X`, chunk by chunk of rows.

    Work buffers belong to the call, so concurrent calls are thread-safe.
    """
    n_rows = X.shape[0]
    dtype = np.result_type(X.dtype, coefs[0].dtype)
    chunk = max(1, min(n_rows, PREDICT_CHUNK_ROWS))
    hidden = [np.empty((chunk, c.shape[1]), dtype) for c in coefs[:-1]]
    raw = np.empty((n_rows, coefs[-1].shape[1]), dtype)
    for start in range(0, n_rows, chunk):
        stop = min(start + chunk, n_rows)
        a = X[start:stop]
        for coef, intercept, activation, buffer in zip(
            coefs[:-1], intercepts[:-1], activations, hidden
        ):
            z = dot(a, coef, out=buffer[: stop - start])
            z += intercept
            a = activation.forward(z, out=z if activation.inplace else None)
        out = dot(a, coefs[-1], out=raw[start:stop])
        out += intercepts[-1]
    return raw


class Network:
    """A stack of dense layers over one flat parameter vector, for training.

    Work buffers (pre-activations, activations, back-propagated errors) are
    allocated once, for the largest batch, and every batch reuses them.

    Parameters
    ----------
    params : ndarray of shape (n_params,)
        Flat parameters, updated in place by the training loop.
    layer_units : list of int
        Units per layer, input and output included.
    activations : list of Activation
        One per hidden layer.
    """

    def __init__(self, params, layer_units, activations):
        self.params = params
        self.layer_units = layer_units
        self.activations = activations
        self.coefs, self.intercepts = parameter_views(params, layer_units)
        self.n_coef = sum(c.size for c in self.coefs)
        self.grad = np.zeros_like(params)
        self.grad_coefs, self.grad_intercepts = parameter_views(self.grad, layer_units)
        self._allocate(0)
        # What the last forward pass kept for `backward`: each layer's input,
        # and each hidden layer's activation before dropout.
        self._inputs = [None] * len(self.coefs)
        self._outputs = [None] * len(activations)

    def _allocate(self, n_rows):
        """Work buffers for batches of up to `n_rows` rows."""
        dtype = self.params.dtype
        hidden = self.layer_units[1:-1]
        self._z = [np.empty((n_rows, u), dtype) for u in self.layer_units[1:]]
        self._a = [
            None if act.inplace else np.empty((n_rows, u), dtype)
            for act, u in zip(self.activations, hidden)
        ]
        self._delta = [np.empty((n_rows, u), dtype) for u in hidden]
        self._ones = np.ones(n_rows, dtype)
        self._views = {}

    def _workspace(self, n_rows):
        """Buffers for a batch of `n_rows` rows.

        They are leading rows of the buffers sized for the largest batch so
        far, so the smaller last batch of an epoch, or a `partial_fit` call of
        another size, reuses the same memory.
        """
        if n_rows > self._ones.shape[0]:
            self._allocate(n_rows)
        if n_rows not in self._views:
            self._views[n_rows] = {
                "z": [z[:n_rows] for z in self._z],
                "a": [None if a is None else a[:n_rows] for a in self._a],
                "delta": [d[:n_rows] for d in self._delta],
                "ones": self._ones[:n_rows],
            }
        return self._views[n_rows]

    def forward(self, X, masks=None):
        """Forward pass of one batch, keeping what `backward` needs.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_rows, n_features)
        masks : list of (ndarray or None), or None
            Inverted-dropout masks, one per hidden layer (None: no dropout).

        Returns
        -------
        raw : ndarray of shape (n_rows, n_outputs)
            Network output before the link (a work buffer: copy to keep).
        """
        work = self._workspace(X.shape[0])
        a = X
        last = len(self.coefs) - 1
        for i, (coef, intercept) in enumerate(zip(self.coefs, self.intercepts)):
            self._inputs[i] = a
            z = dot(a, coef, out=work["z"][i])
            z += intercept
            if i == last:
                return z
            activation = self.activations[i]
            out = z if activation.inplace else work["a"][i]
            a = activation.forward(z, out=out)
            self._outputs[i] = a
            if masks is not None and masks[i] is not None:
                # A fresh array, as the mask itself is: dropout draws per batch.
                a = a * masks[i]

    def backward(self, grad_raw, masks=None):
        """Back-propagate the gradient of the objective with respect to the
        raw output into `self.grad` (data term only: no penalty).

        Parameters
        ----------
        grad_raw : ndarray of shape (n_rows, n_outputs)
            Gradient with respect to the last forward pass's raw output.
        masks : list of (ndarray or None), or None
            The masks given to `forward`.
        """
        work = self._workspace(grad_raw.shape[0])
        delta = grad_raw
        for i in range(len(self.coefs) - 1, -1, -1):
            a_prev = self._inputs[i]
            dot(a_prev.T, delta, out=self.grad_coefs[i])
            # Summing over rows as a product with ones runs on BLAS, several
            # times faster than NumPy's reduction along the strided axis.
            np.matmul(work["ones"], delta, out=self.grad_intercepts[i])
            if i == 0:
                return
            delta_prev = work["delta"][i - 1]
            if delta.shape[1] == 1:
                # With one output the product is an outer product, which
                # broadcasting computes several times faster than matmul.
                np.multiply(delta, self.coefs[i].T, out=delta_prev)
            else:
                np.matmul(delta, self.coefs[i].T, out=delta_prev)
            if masks is not None and masks[i - 1] is not None:
                delta_prev *= masks[i - 1]
            activation = self.activations[i - 1]
            z = None if activation.inplace else work["z"][i - 1]
            activation.backward(z, self._outputs[i - 1], delta_prev)
            delta = delta_prev
