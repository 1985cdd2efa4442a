"""One epoch: the objective of a batch, minibatches, and the pass over them.

For sample weights ``w`` the objective of a batch B is::

    (sum_{i in B} w_i * loss_i + 0.5 * alpha * ||W||^2) / (|B| * mean(w))

with ``mean(w)`` over the whole training set: full-batch training is exactly
``sum(w_i * loss_i) / sum(w) + 0.5 * alpha * ||W||^2 / sum(w)``, minibatches
are unbiased, and a batch of zero weights divides by nothing smaller than the
data set's mean weight. With unit weights this is scikit-learn MLP's
objective.
"""

import math

import numpy as np
from scipy import sparse

from skprop._numeric import blocks, clip_global_norm


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


def check_finite_outputs(raw, epoch, where):
    """Raise a DivergenceError when raw network outputs are not all finite."""
    if not np.isfinite(raw).all():
        raise divergence_error(
            f"the network's outputs on {where} became non-finite", epoch
        )


def objective(net, loss, X, y, sample_weight, alpha, denominator, rng=None):
    """Objective of one batch; leaves its gradient in ``net.grad``.

    Parameters
    ----------
    net : Network
    loss : Loss
    X : ndarray or sparse matrix of shape (n_rows, n_features)
    y : ndarray of shape (n_rows, n_outputs)
    sample_weight : ndarray of shape (n_rows,) or None
    alpha : float
        L2 penalty on the parameter groups that take it (the weights).
    denominator : float
        ``n_rows * mean(w)`` over the training set (see the module docstring).
    rng : RandomState or None, default=None
        Source of dropout masks (None: no dropout).

    Returns
    -------
    value : float
    """
    raw = net.forward(X, rng)
    scale = 1.0 / denominator
    total, grad_raw = loss.weighted(y, raw, sample_weight, scale)
    net.backward(grad_raw)
    for piece in net.l2_slices:
        for block in blocks(piece.stop, piece.start):
            net.grad[block] += (alpha * scale) * net.params[block]
    return penalized(net, total, alpha) * scale


def penalized(net, total, alpha):
    """A weighted loss sum plus the L2 penalty ``0.5 * alpha * ||W||^2``."""
    for piece in net.l2_slices:
        coef = net.params[piece]
        total = total + 0.5 * alpha * float(coef @ coef)
    return total


def weight_sum(y, sample_weight):
    """Total sample weight: the number of rows without weights."""
    return y.shape[0] if sample_weight is None else float(sample_weight.sum())


class Batches:
    """Minibatches of a training set in a given order.

    Each shuffled batch is gathered into a buffer reused from batch to batch;
    without shuffling, batches are slices (views, no copy). Targets may be
    stored in a compact dtype (a classifier's 0/1 matrix as uint8, an eighth
    of float64's memory); each batch of them is cast into a buffer of the
    network's `dtype`.
    """

    def __init__(self, X, y, sample_weight, batch_size, dtype):
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.batch_size = batch_size
        shape = (batch_size, *y.shape[1:])
        self._y_buffer = np.empty(shape, dtype)
        # Compact targets are gathered in their own dtype, then cast.
        self._y_gather = self._y_buffer
        if y.dtype != dtype:
            self._y_gather = np.empty(shape, y.dtype)
        self._X_buffer = None
        if not sparse.issparse(X):
            self._X_buffer = np.empty((batch_size, *X.shape[1:]), X.dtype)

    def _targets(self, y):
        """`y` in the network's dtype: itself, or cast into the buffer."""
        if y.dtype == self._y_buffer.dtype:
            return y
        out = self._y_buffer[: y.shape[0]]
        np.copyto(out, y)
        return out

    def _gathered(self, rows):
        """The batch of `rows`; dense X and y are copied into the buffers (a
        smaller last batch fills their leading rows)."""
        n_rows = len(rows)
        # Rows come from a permutation, so they are always in range; the
        # default mode="raise" would gather into a temporary and copy it.
        if self._X_buffer is None:
            X = self.X[rows]
        else:
            X = self.X.take(rows, axis=0, out=self._X_buffer[:n_rows], mode="clip")
        y = self.y.take(rows, axis=0, out=self._y_gather[:n_rows], mode="clip")
        weight = None if self.sample_weight is None else self.sample_weight[rows]
        return X, self._targets(y), weight

    def __call__(self, order):
        """Yield ``(X, y, sample_weight)`` batches; `order` None keeps rows
        in place."""
        n_samples = self.y.shape[0]
        for start in range(0, n_samples, self.batch_size):
            stop = min(start + self.batch_size, n_samples)
            if order is not None:
                yield self._gathered(order[start:stop])
                continue
            weight = (
                None if self.sample_weight is None else self.sample_weight[start:stop]
            )
            yield self.X[start:stop], self._targets(self.y[start:stop]), weight


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
    accumulated = 0.0
    dropout_rng = rng if net.dropout else None
    for X, y, weight in batches(order):
        n_rows = y.shape[0]
        denominator = n_rows * settings["mean_weight"]
        value = objective(
            net, loss, X, y, weight, settings["alpha"], denominator, dropout_rng
        )
        if not math.isfinite(value):
            raise divergence_error(
                f"the training loss became {value}",
                settings["epoch"],
                weights_non_finite=not np.isfinite(net.grad).all(),
            )
        if settings["clip_grad_norm"] is not None:
            clip_global_norm(net.grad, settings["clip_grad_norm"])
        state = take_step(net, optimizer, state, settings["lr"])
        accumulated += value * n_rows
    return accumulated / batches.y.shape[0], state


def take_step(net, optimizer, state, lr):
    """One optimizer step from ``net.grad``, honouring each parameter
    group's options; returns the optimizer state."""
    options = {}
    if optimizer.decoupled_weight_decay and net.decay_slices is not None:
        options["decay"] = net.decay_slices
    step, state = optimizer.update(net.grad, state, net.params, lr, **options)
    for piece, factor in net.lr_factors:
        step[piece] *= factor
    net.params += step
    return state


def full_objective(net, loss, X, y, sample_weight, alpha):
    """Objective over a whole data set, as in ``loss_`` (no gradient kept).

    Returns
    -------
    value : float
    raw : ndarray of shape (n_samples, n_outputs)
        Raw network output, a fresh array.
    """
    raw = net.predict(X)
    total = loss.value(y, raw, sample_weight)
    return penalized(net, total, alpha) / weight_sum(y, sample_weight), raw
