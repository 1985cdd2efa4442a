"""One epoch: the objective of a batch, minibatches, and the pass over them.

For sample weights ``w`` the objective of a batch B is::

    (sum_{i in B} w_i * loss_i + 0.5 * alpha * ||W||^2) / (|B| * mean(w))

with ``mean(w)`` over the whole training set: full-batch training is exactly
``sum(w_i * loss_i) / sum(w) + 0.5 * alpha * ||W||^2 / sum(w)``, minibatches
are unbiased, and a batch of zero weights divides by nothing smaller than the
data set's mean weight. With unit weights this is scikit-learn MLP's
objective.
"""

import numpy as np
from scipy import sparse

from skprop._numeric import DivergenceError, divergence_error
from skprop._ops import NUMPY

__all__ = ["DivergenceError", "divergence_error"]


def check_finite_outputs(ops, raw, epoch, where):
    """Raise a DivergenceError when raw network outputs are not all finite."""
    if not ops.all_finite(raw):
        raise divergence_error(
            f"the network's outputs on {where} became non-finite", epoch
        )


def objective(net, loss, X, y, sample_weight, alpha, denominator, rng=None):
    """Objective of one batch; leaves its gradient in ``net.grad``.

    Parameters
    ----------
    net : Network
    loss : Loss
    X : array or sparse matrix of shape (n_rows, n_features)
    y : array of shape (n_rows, n_outputs)
    sample_weight : array of shape (n_rows,) or None
    alpha : float
        L2 penalty on the parameter groups that take it (the weights).
    denominator : float
        ``n_rows * mean(w)`` over the training set (see the module docstring).
    rng : RandomState or None, default=None
        Source of dropout masks (None: no dropout).

    Returns
    -------
    value : float (a 0-d array on another backend than NumPy)
    """
    ops = net.ops
    raw = net.forward(X, rng)
    scale = 1.0 / denominator
    total, grad_raw = ops.weighted_loss(loss, y, raw, sample_weight, scale)
    net.backward(grad_raw)
    for piece in net.l2_slices:
        for block in ops.blocks(piece):
            net.grad[block] += (alpha * scale) * net.params[block]
    return penalized(net, total, alpha) * scale


def penalized(net, total, alpha):
    """A weighted loss sum plus the L2 penalty ``0.5 * alpha * ||W||^2``."""
    for piece in net.l2_slices:
        total = total + 0.5 * alpha * net.ops.sq_norm(net.params[piece])
    return total


class Batches:
    """Minibatches of a training set in a given order.

    Where the backend reuses buffers (NumPy), each shuffled batch is
    gathered into a buffer reused from batch to batch; without shuffling,
    batches are slices (views, no copy). Targets may be stored in a compact
    dtype (a classifier's 0/1 matrix as uint8, an eighth of float64's
    memory); each batch of them is cast into a buffer of the network's
    `dtype`.
    """

    def __init__(self, X, y, sample_weight, batch_size, dtype, ops=NUMPY):
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.batch_size, self.ops = batch_size, ops
        self._X_buffer = self._y_buffer = self._y_gather = None
        if not ops.reuses_buffers:
            return
        shape = (batch_size, *y.shape[1:])
        self._y_buffer = np.empty(shape, dtype)
        # Compact targets are gathered in their own dtype, then cast.
        self._y_gather = self._y_buffer
        if y.dtype != dtype:
            self._y_gather = np.empty(shape, y.dtype)
        if not sparse.issparse(X):
            self._X_buffer = np.empty((batch_size, *X.shape[1:]), X.dtype)

    def _targets(self, y):
        """`y` in the network's dtype: itself, or cast into the buffer."""
        if self._y_buffer is None or y.dtype == self._y_buffer.dtype:
            return y
        out = self._y_buffer[: y.shape[0]]
        np.copyto(out, y)
        return out

    def _gathered(self, rows):
        """The batch of `rows`; dense X and y are copied into the buffers (a
        smaller last batch fills their leading rows)."""
        n_rows, take = rows.shape[0], self.ops.take
        X = take(self.X, rows, _rows(self._X_buffer, n_rows))
        y = take(self.y, rows, _rows(self._y_gather, n_rows))
        weight = None if self.sample_weight is None else take(self.sample_weight, rows)
        return X, self._targets(y), weight

    def __call__(self, order):
        """Yield ``(X, y, sample_weight)`` batches; `order` None keeps rows
        in place."""
        n_samples = self.y.shape[0]
        if order is not None:
            order = self.ops.index(order)
        for start in range(0, n_samples, self.batch_size):
            stop = min(start + self.batch_size, n_samples)
            if order is not None:
                yield self._gathered(order[start:stop])
                continue
            weight = (
                None if self.sample_weight is None else self.sample_weight[start:stop]
            )
            yield (
                self.X[start:stop, ...],
                self._targets(self.y[start:stop, ...]),
                weight,
            )


def _rows(buffer, n_rows):
    """The leading `n_rows` rows of a buffer (None: no buffer)."""
    return None if buffer is None else buffer[:n_rows]


def run_epoch(net, loss, optimizer, state, batches, order, settings, rng):
    """One pass over the training set, one optimizer step per minibatch.

    Parameters
    ----------
    net : Network
    loss : Loss
    optimizer : Optimizer
    state : dict
        Optimizer state, updated and returned.
    batches : Batches
    order : ndarray of int or None
        Row order of this epoch (None: as stored).
    settings : dict
        ``lr``, ``alpha``, ``mean_weight``, ``clip_grad_norm``, ``epoch``.
    rng : RandomState
        Source of dropout masks.

    Returns
    -------
    epoch_loss : float
        Mean of the batch objectives, weighted by batch size (as MLP's
        ``loss_``).
    state : dict
    """
    ops = net.ops
    accumulated = 0.0
    dropout = ops.dropout_source(rng, net) if net.dropout else None
    for X, y, weight in batches(order):
        n_rows = y.shape[0]
        denominator = n_rows * settings["mean_weight"]
        value = objective(
            net, loss, X, y, weight, settings["alpha"], denominator, dropout
        )
        ops.check_batch_loss(value, net.grad, settings["epoch"])
        if settings["clip_grad_norm"] is not None:
            ops.clip_global_norm(net.grad, settings["clip_grad_norm"])
        state = take_step(net, optimizer, state, settings["lr"])
        accumulated = accumulated + value * n_rows
    epoch_loss = ops.to_float(accumulated / batches.y.shape[0])
    ops.check_epoch_loss(epoch_loss, net.grad, settings["epoch"])
    return epoch_loss, state


def take_step(net, optimizer, state, lr):
    """One optimizer step from ``net.grad``, honouring each parameter
    group's options; returns the optimizer state."""
    options = {}
    if optimizer.decoupled_weight_decay and net.decay_slices is not None:
        options["decay"] = net.decay_slices
    if getattr(optimizer, "needs_matrices", False):
        options["matrices"] = net.matrices
    step, state = net.ops.update(optimizer, net.grad, state, net.params, lr, **options)
    for piece, factor in net.lr_factors:
        step[piece] *= factor
    net.params += step
    return state


def full_objective(net, loss, X, y, sample_weight, alpha):
    """Objective over a whole data set, as in ``loss_`` (no gradient kept).

    Returns
    -------
    value : float
    raw : array of shape (n_samples, n_outputs)
        Raw network output, a fresh array.
    """
    ops = net.ops
    raw = net.predict(X)
    total = ops.loss_value(loss, y, raw, sample_weight)
    value = penalized(net, total, alpha) / ops.weight_sum(y, sample_weight)
    return ops.to_float(value), raw
