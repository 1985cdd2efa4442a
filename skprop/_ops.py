"""The one seam between the engine and an array library.

The network, its layers, batches and the epoch are written once, against an
``ops`` object chosen from ``X`` once per call (`skprop._backend.ops_for`).

- `NumpyOps`: the members are NumPy's own functions (aliases, not wrapper
  methods) called with ``out=`` work buffers, so NumPy runs exactly the
  calls it always ran.
- `ArrayOps`: the same names for the namespace of another Array API library
  (torch, CuPy, array-api-strict). The standard has no ``out=``: each
  member returns a new array, or writes into ``out`` where one is given --
  the engine gives one only for views of the flat parameters and gradient,
  since `ArrayOps.reuses_buffers` is False and no work buffer exists.

A policy that differs by backend (buffer reuse, when finiteness is read
back, the source of dropout masks, row gathers and sums, moving arrays) is
a member here, never an ``if`` in engine or estimator code. This is the only
engine module that parts import: it hands them the helpers of
`skprop._numeric` they use (`__all__`).
"""

import math

import numpy as np
from scipy import sparse

from skprop import _outputs
from skprop._numeric import (
    blocks,
    clip_global_norm,
    copy_array,
    divergence_error,
    dot,
    host_dtype,
    to_numpy,
    xp_clip_global_norm,
    xp_erf,
    xp_log_softmax,
    xp_sigmoid,
    xp_softplus,
)

# What parts (losses, optimizers, activations, callbacks) take from the
# engine: this module is the only engine module they import.
__all__ = [
    "ArrayOps",
    "NUMPY",
    "NumpyOps",
    "blocks",
    "copy_array",
    "xp_erf",
    "xp_log_softmax",
    "xp_sigmoid",
    "xp_softplus",
]


def _copy_into(a, out):
    """`a` copied into `out` (NumPy's ``np.copyto``, returning `out`)."""
    np.copyto(out, a)
    return out


def _row_sum(a, ones, out):
    # Summing over rows as a product with ones runs on BLAS, several times
    # faster than NumPy's reduction along the strided axis.
    return np.matmul(ones, a, out=out)


def _column_dot(a, b, out):
    """Per column, the sum over rows of ``a * b``."""
    return np.einsum("ij,ij->j", a, b, out=out)


def _take(a, rows, out=None):
    """Rows `rows` of `a`, into `out` for dense arrays."""
    if out is None or sparse.issparse(a):
        return a[rows]
    # Rows come from a permutation, so they are always in range; the
    # default mode="raise" would gather into a temporary and copy it.
    return a.take(rows, axis=0, out=out, mode="clip")


def _columns(X, indices):
    """Columns `indices` of `X` (a copy)."""
    return X[:, indices]


def _concat_columns(arrays, out):
    """`arrays` side by side into `out`."""
    start = 0
    for a in arrays:
        out[:, start : start + a.shape[1]] = a
        start += a.shape[1]
    return out


def _add_columns(target, columns, values):
    """``target[:, columns] += values``, returning `target`; `columns` are
    NumPy integers."""
    target[:, columns] += values
    return target


def _place_columns(values, columns, n_columns, out):
    """`values` at columns `columns` (NumPy integers) of `out`, which has
    `n_columns` columns, and zeros elsewhere."""
    out[...] = 0.0
    out[:, columns] = values
    return out


def _category_rows(codes, sizes, offsets):
    """Rows of a table of stacked per-column blocks for category `codes`
    (n_rows, n_columns), row by row of `codes`, flat: ``offsets[j] + code``
    where the code of column j is an integer in ``[0, sizes[j])``, else
    ``offsets[j] + sizes[j]``, the block's last row (unknown codes, NaN)."""
    # NaN compares False: it is unknown too.
    known = (codes >= 0) & (codes < sizes) & (codes == np.floor(codes))
    local = np.where(known, codes, sizes).astype(np.intp)
    return (local + offsets).ravel()


def _scatter_add_rows(values, rows, out):
    """``out[r]`` = the sum of the rows ``values[i]`` with ``rows[i] == r``
    (zero where none), returning `out`."""
    # One bincount over (row, column) pairs: 3x faster than np.add.at and,
    # unlike a product with a one-hot matrix, linear in the rows gathered
    # (benchmarked at 200 rows, 1 to 10 columns of 5 to 1,000 codes).
    width = out.shape[1]
    pairs = rows[:, None] * width + np.arange(width)
    sums = np.bincount(pairs.ravel(), weights=values.ravel(), minlength=out.size)
    np.copyto(out, sums.reshape(out.shape))
    return out


def _member_rows(a, n_members):
    """``(n, k * c)`` -> ``(n * k, c)``: one row per sample and member, the
    members of a sample in turn (a view of a work buffer, which is
    C-contiguous; None stays None)."""
    return None if a is None else a.reshape(-1, a.shape[1] // n_members)


def _split_members(a, n_members):
    """``(n, k * c)`` -> ``(k, n, c)``: member i's block of columns as
    ``[i]`` (a view; None stays None)."""
    if a is None:
        return None
    return a.reshape(a.shape[0], n_members, -1).transpose(1, 0, 2)


def _join_members(a):
    """``(k, n, c)`` -> ``(n, k * c)``, the inverse of `_split_members` (a
    view of the array that was split)."""
    return a.transpose(1, 0, 2).reshape(a.shape[1], -1)


def _dense(X):
    """A batch as a dense array (elementwise layers need one)."""
    return X.toarray() if sparse.issparse(X) else X


def _mask(source, shape, rate, dtype):
    """Inverted-dropout mask: 0 or ``1 / (1 - rate)``."""
    keep = source.random_sample(shape) >= rate
    mask = keep.astype(dtype)
    mask /= dtype.type(1.0 - rate)
    return mask


class NumpyOps:
    """NumPy's functions, with ``out=`` work buffers, under the engine's
    names."""

    xp = None
    device = None
    reuses_buffers = True
    outputs = _outputs.NUMPY

    # Arithmetic, as NumPy itself.
    matmul = staticmethod(np.matmul)
    dot = staticmethod(dot)
    add = staticmethod(np.add)
    subtract = staticmethod(np.subtract)
    multiply = staticmethod(np.multiply)
    cos = staticmethod(np.cos)
    sin = staticmethod(np.sin)
    sum = staticmethod(np.sum)
    permute_dims = staticmethod(np.transpose)
    zeros_like = staticmethod(np.zeros_like)
    copy = staticmethod(np.copy)
    assign = staticmethod(np.copyto)
    copy_into = staticmethod(_copy_into)
    row_sum = staticmethod(_row_sum)
    column_dot = staticmethod(_column_dot)
    take = staticmethod(_take)
    columns = staticmethod(_columns)
    concat_columns = staticmethod(_concat_columns)
    add_columns = staticmethod(_add_columns)
    place_columns = staticmethod(_place_columns)
    reshape = staticmethod(np.reshape)
    member_rows = staticmethod(_member_rows)
    split_members = staticmethod(_split_members)
    join_members = staticmethod(_join_members)
    category_rows = staticmethod(_category_rows)
    scatter_add_rows = staticmethod(_scatter_add_rows)
    dense = staticmethod(_dense)
    mask = staticmethod(_mask)
    clip_global_norm = staticmethod(clip_global_norm)

    # ------------------------------------------------------------------
    # Parts: their NumPy forms.
    # ------------------------------------------------------------------

    @staticmethod
    def activate(activation, z, out):
        """The activation of `z`, into `out` (`z` itself when in place)."""
        return activation.forward(z, out=out)

    @staticmethod
    def activation_backward(activation, z, a, grad):
        """The gradient with respect to `z` from that of `a`, in `grad`."""
        activation.backward(None if activation.inplace else z, a, grad)
        return grad

    @staticmethod
    def derivative(activation, z, a):
        """``da/dz`` elementwise."""
        return activation.derivative(None if activation.inplace else z, a)

    @staticmethod
    def weighted_loss(loss, y, raw, sample_weight, scale):
        """The weighted loss sum of a batch and its gradient (scaled)."""
        return loss.weighted(y, raw, sample_weight, scale)

    @staticmethod
    def scores(link, raw):
        """A link's raw scores of raw outputs (`decision_function`)."""
        return link.scores(raw)

    @staticmethod
    def loss_value(loss, y, raw, sample_weight):
        """The weighted loss sum of a data set."""
        return loss.value(y, raw, sample_weight)

    @staticmethod
    def update(optimizer, grad, state, params, lr, **options):
        """One optimizer step and its state."""
        return optimizer.update(grad, state, params, lr, **options)

    # ------------------------------------------------------------------
    # Policies
    # ------------------------------------------------------------------

    @staticmethod
    def blocks(piece):
        """`piece` of the flat vector, block by block (kept in cache)."""
        return blocks(piece.stop, piece.start)

    @staticmethod
    def sq_norm(v):
        """``v @ v``, a Python float."""
        return float(v @ v)

    @staticmethod
    def index(indices):
        """Integer indices for `take` and `add_columns`."""
        return indices

    @staticmethod
    def row_ones(n_rows, dtype):
        """The ones `row_sum` takes for `n_rows` rows."""
        return np.ones(n_rows, dtype)

    @staticmethod
    def dropout_source(rng, net):
        """Where the network's dropout masks come from: the fit's RandomState."""
        return rng

    @staticmethod
    def check_batch_loss(value, grad, epoch):
        """Each batch's loss is on the host: a non-finite one stops at once."""
        if not math.isfinite(value):
            raise divergence_error(
                f"the training loss became {value}",
                epoch,
                weights_non_finite=not np.isfinite(grad).all(),
            )

    @staticmethod
    def check_epoch_loss(value, grad, epoch):
        """Every batch was checked already."""

    to_float = staticmethod(float)

    # ------------------------------------------------------------------
    # Arrays between the estimator and the engine
    # ------------------------------------------------------------------

    def views(self, flat, places):
        """Per-layer arrays viewing the flat vector."""
        return [
            [
                flat[start : start + math.prod(shape)].reshape(shape)
                for start, shape in p
            ]
            for p in places
        ]

    def host_inputs(self, *arrays):
        """Targets and weights for host-side validation: as they are."""
        return arrays

    def move(self, a, dtype=None):
        """`a` for this engine: as it is."""
        return a

    def classes_to_host(self, estimator):
        """`classes_` for the host-side label code: as it is."""

    def classes_to_device(self, estimator):
        """`classes_` as the fitted attribute: as it is."""

    def check_parts(self, parts, loss):
        """Raise for parts this engine cannot train with: none here."""

    def validation_score(self, estimator):
        """The estimator's validation score of raw outputs."""
        return estimator._validation_score

    def fitted_arrays(self, arrays):
        """Fitted per-layer arrays, to load into a network: as they are."""
        return arrays

    def ravel(self, a):
        """`a` flattened."""
        return a.ravel()

    def device_params(self, params):
        """Initial flat parameters (drawn on the host) for training: as they
        are."""
        return params

    def host(self, X):
        """`X` as a NumPy array (or sparse matrix): itself."""
        return X

    def device_data(self, data, dtype):
        """`data` (``(X, Y, sample_weight)`` or None) on the device: as it is."""
        return data

    def all_finite(self, a):
        """Whether every element of `a` is finite."""
        return bool(np.isfinite(a).all())

    def mean(self, a):
        """Mean of `a`, a Python float."""
        return float(a.mean())

    def weight_sum(self, y, sample_weight):
        """Total sample weight: the number of rows without weights."""
        return y.shape[0] if sample_weight is None else float(sample_weight.sum())

    def targets(self, Y, dtype):
        """Targets in the network's dtype."""
        return np.asarray(Y, dtype=dtype)

    def to_host64(self, a):
        """A float64 NumPy copy of `a`, for SciPy."""
        return a.astype(np.float64)

    def assign_host(self, target, values):
        """Write NumPy `values` into `target`."""
        target[...] = values

    def inverse(self, link, raw):
        """A link's inverse of raw outputs (predictions of a regressor)."""
        return link.inverse(raw)

    def init_state(self, optimizer, params):
        """A fresh optimizer state."""
        return optimizer.init(params)

    def continued_state(self, optimizer, params, stored):
        """A fresh optimizer state holding the stored values that fit."""
        state = self.init_state(optimizer, params)
        if _same_layout(stored, state):
            for key, value in stored.items():
                if hasattr(state[key], "shape"):
                    state[key] = self.assign_state(state[key], value)
                else:
                    state[key] = value
        return state

    def assign_state(self, target, value):
        """A stored optimizer array into a fresh state's array."""
        np.copyto(target, value)
        return target


def _same_layout(stored, state):
    """Whether a stored optimizer state has the keys and shapes of `state`."""
    return stored.keys() == state.keys() and all(
        tuple(np.shape(stored[k])) == tuple(np.shape(state[k])) for k in state
    )


def _into(out, result):
    """`result`, written into `out` when one is given (a view of the flat
    parameters or gradient)."""
    if out is None:
        return result
    out[...] = result
    return out


class ArrayOps(NumpyOps):
    """The engine's names for the Array API namespace `xp` on `device`.

    Nothing here reads an array back to the host within an epoch: the
    epoch's loss is accumulated on the device and read once at its end.
    """

    reuses_buffers = False

    def __init__(self, xp, device):
        self.xp, self.device = xp, device
        self.outputs = _outputs.ArrayOutputs(xp)
        self._indices = {}

    def matmul(self, a, b, out=None):
        return _into(out, a @ b)

    dot = matmul

    def add(self, a, b, out=None):
        return _into(out, a + b)

    def subtract(self, a, b, out=None):
        return _into(out, a - b)

    def multiply(self, a, b, out=None):
        return _into(out, a * b)

    def cos(self, a):
        return self.xp.cos(a)

    def sin(self, a):
        return self.xp.sin(a)

    def sum(self, a, axis=None, out=None):
        return _into(out, self.xp.sum(a, axis=axis))

    def permute_dims(self, a, axes):
        return self.xp.permute_dims(a, axes)

    def reshape(self, a, shape):
        return self.xp.reshape(a, shape)

    def member_rows(self, a, n_members):
        if a is None:
            return None
        return self.xp.reshape(a, (-1, a.shape[1] // n_members))

    def split_members(self, a, n_members):
        if a is None:
            return None
        members = self.xp.reshape(a, (a.shape[0], n_members, -1))
        return self.xp.permute_dims(members, (1, 0, 2))

    def join_members(self, a):
        rows = self.xp.permute_dims(a, (1, 0, 2))
        return self.xp.reshape(rows, (a.shape[1], -1))

    def zeros_like(self, a):
        return self.xp.zeros_like(a)

    def copy(self, a):
        return copy_array(a)

    def assign(self, target, source):
        target[...] = source

    def copy_into(self, a, out):
        # Activations of this backend never overwrite their input.
        return a

    def row_sum(self, a, ones, out):
        return _into(out, self.xp.sum(a, axis=0))

    def column_dot(self, a, b, out):
        return _into(out, self.xp.sum(a * b, axis=0))

    def take(self, a, rows, out=None):
        return self.xp.take(a, rows, axis=0)

    def columns(self, X, indices):
        return self.xp.take(X, indices, axis=1)

    def concat_columns(self, arrays, out):
        return self.xp.concat(arrays, axis=1)

    def add_columns(self, target, columns, values):
        # No scatter in the standard: values go through a 0/1 matrix that
        # places column j of `values` at column ``columns[j]``.
        key = ("place", target.shape[1], id(columns))
        if key not in self._indices:
            place = np.zeros((len(columns), target.shape[1]))
            place[np.arange(len(columns)), columns] = 1.0
            self._indices[key] = self.xp.asarray(
                place, dtype=target.dtype, device=self.device
            )
        return target + values @ self._indices[key]

    def place_columns(self, values, columns, n_columns, out):
        zeros = self.xp.zeros(
            (values.shape[0], n_columns), dtype=values.dtype, device=self.device
        )
        return self.add_columns(zeros, columns, values)

    def category_rows(self, codes, sizes, offsets):
        xp = self.xp
        limits = xp.astype(self.index(sizes), codes.dtype)
        known = (codes >= 0) & (codes < limits) & (codes == xp.floor(codes))
        local = xp.astype(xp.where(known, codes, limits), xp.int64)
        return xp.reshape(local + self.index(offsets), (-1,))

    def scatter_add_rows(self, values, rows, out):
        # No scatter in the standard: the sums go through a 0/1 matrix of
        # (gathered rows, table rows), one product on the device.
        key = ("arange", out.shape[0])
        if key not in self._indices:
            self._indices[key] = self.xp.arange(out.shape[0], device=self.device)
        one_hot = self.xp.astype(rows[:, None] == self._indices[key], values.dtype)
        return _into(out, one_hot.T @ values)

    def dense(self, X):
        return X

    def mask(self, source, shape, rate, dtype):
        return source.mask(shape, rate, dtype)

    def clip_global_norm(self, grad, max_norm):
        clipped, _ = xp_clip_global_norm(grad, max_norm, self.xp)
        grad[...] = clipped

    def activate(self, activation, z, out):
        return activation.forward_xp(z, self.xp)

    def activation_backward(self, activation, z, a, grad):
        return activation.backward_xp(z, a, grad, self.xp)

    def derivative(self, activation, z, a):
        return activation.derivative_xp(z, a, self.xp)

    def weighted_loss(self, loss, y, raw, sample_weight, scale):
        return loss.weighted_xp(y, raw, sample_weight, scale, self.xp)

    def loss_value(self, loss, y, raw, sample_weight):
        return loss.value_xp(y, raw, sample_weight, self.xp)

    def scores(self, link, raw):
        return link.scores_xp(raw, self.xp)

    def update(self, optimizer, grad, state, params, lr, **options):
        return optimizer.update_xp(grad, state, params, lr, self.xp, **options)

    def blocks(self, piece):
        return [piece]

    def sq_norm(self, v):
        # Stays on the device: read back once per epoch.
        return self.xp.sum(v * v)

    def row_ones(self, n_rows, dtype):
        # Row sums are reductions here: no ones.
        return None

    def index(self, indices):
        key = id(indices)
        if key not in self._indices:
            self._indices[key] = (
                indices,
                self.xp.asarray(np.asarray(indices), device=self.device),
            )
        return self._indices[key][1]

    def dropout_source(self, rng, net):
        if net.dropout_source is None:
            net.dropout_source = DropoutSource(self.xp, self.device, rng.randint(2**31))
        return net.dropout_source

    def check_batch_loss(self, value, grad, epoch):
        """A batch's loss stays on the device: checked with the epoch's."""

    def check_epoch_loss(self, value, grad, epoch):
        """The epoch's loss, read back once: non-finite raises."""
        if not math.isfinite(value):
            raise divergence_error(
                f"the training loss became {value}",
                epoch,
                weights_non_finite=not self.all_finite(grad),
            )

    def views(self, flat, places):
        return [
            [
                self.xp.reshape(flat[start : start + math.prod(shape)], shape)
                for start, shape in p
            ]
            for p in places
        ]

    def move(self, a, dtype=None):
        """`a` (None, NumPy or another namespace) in this namespace and on
        this device, in `dtype` if given (a float dtype of `xp`)."""
        if a is None:
            return None
        xp = self.xp
        if not _in_namespace(a, xp, self.device):
            host = np.asarray(to_numpy(a))
            if dtype is not None:
                host = host.astype(host_dtype(dtype), copy=False)
            return xp.asarray(host, device=self.device)
        return a if dtype is None or a.dtype == dtype else xp.astype(a, dtype)

    def host_inputs(self, *arrays):
        """NumPy copies of targets and weights, validated and encoded on the
        host (once per call) before they move to the device."""
        return tuple(to_numpy(a) for a in arrays)

    def classes_to_host(self, estimator):
        if hasattr(estimator, "classes_"):
            estimator.classes_ = to_numpy(estimator.classes_)

    def classes_to_device(self, estimator):
        """Numeric `classes_` in this namespace and on this device, as
        scikit-learn's Array API classifiers keep them (strings stay NumPy)."""
        classes = getattr(estimator, "classes_", None)
        if classes is not None and classes.dtype.kind in "iufb":
            estimator.classes_ = self.move(classes)

    def check_parts(self, parts, loss):
        check_array_api_support(parts, loss)

    def validation_score(self, estimator):
        xp = self.xp
        return lambda Y, raw, weight: estimator._validation_score_xp(Y, raw, weight, xp)

    def fitted_arrays(self, arrays):
        return [[self.move(a) for a in layer] for layer in arrays]

    def ravel(self, a):
        return self.xp.reshape(a, (-1,))

    def device_params(self, params):
        return self.move(params.copy())

    def host(self, X):
        return to_numpy(X)

    def device_data(self, data, dtype):
        """``(X, Y, sample_weight)`` (host targets and weights) on the device,
        in the network's dtype."""
        if data is None:
            return None
        return tuple(self.move(a, dtype) for a in data)

    def all_finite(self, a):
        """Whether every element of `a` is finite (one value read back)."""
        return bool(self.xp.all(self.xp.isfinite(a)))

    def mean(self, a):
        return float(self.xp.mean(a))

    def weight_sum(self, y, sample_weight):
        if sample_weight is None:
            return y.shape[0]
        return float(self.xp.sum(sample_weight))

    def targets(self, Y, dtype):
        return self.move(Y, dtype)

    def to_host64(self, a):
        return np.asarray(to_numpy(a), dtype=np.float64)

    def assign_host(self, target, values):
        target[...] = self.move(values, target.dtype)

    def inverse(self, link, raw):
        return link.inverse_xp(raw, self.xp)

    def init_state(self, optimizer, params):
        return optimizer.init_xp(params, self.xp)

    def assign_state(self, target, value):
        return copy_array(self.move(value))


def _in_namespace(a, xp, device):
    """Whether `a` is an array of `xp` on `device`."""
    from skprop._backend import namespace_of

    return namespace_of(a) == (xp, device)


class DropoutSource:
    """Inverted-dropout masks drawn on the device, by the array library's own
    generator (torch, CuPy) seeded once per fit from the estimator's
    `random_state`; libraries without one (array-api-strict) draw on the host
    and copy the mask over. Masks are reproducible per library, not equal to
    the NumPy engine's."""

    def __init__(self, xp, device, seed):
        self.xp, self.device = xp, device
        self._draw = _uniform_generator(xp, device, seed)

    def mask(self, shape, rate, dtype):
        """0 or ``1 / (1 - rate)``, per element of an array of `shape`."""
        keep = self._draw(shape, dtype) >= rate
        return self.xp.astype(keep, dtype) / (1.0 - rate)


def _uniform_generator(xp, device, seed):
    """``draw(shape, dtype)``: uniform [0, 1) samples on `device`."""
    name = xp.__name__.rsplit(".", 1)[-1]
    if name == "torch":
        import torch

        generator = torch.Generator(device=device).manual_seed(seed)
        return lambda shape, dtype: torch.rand(
            shape, generator=generator, device=device, dtype=dtype
        )
    if name == "cupy":
        import cupy

        generator = cupy.random.default_rng(seed)
        return lambda shape, dtype: generator.random(shape, dtype=dtype)
    generator = np.random.RandomState(seed)
    return lambda shape, dtype: xp.asarray(
        generator.random_sample(shape), dtype=dtype, device=device
    )


NUMPY = NumpyOps()


def check_array_api_support(parts, loss):
    """Raise a TypeError naming each part that cannot train on Array API
    arrays other than NumPy's, and what it must implement."""
    needs = [
        (loss, "loss_xp(y, raw, xp) and gradient_xp(y, raw, xp)"),
        (
            loss.link,
            "inverse_xp(raw, xp) (and log_inverse_xp, complement_xp, "
            "log_complement_xp where they differ from the defaults)",
        ),
        (
            parts["optimizer"],
            "init_xp(params, xp) and update_xp(grad, state, params, lr, xp)",
        ),
    ]
    needs += [
        (activation, "forward_xp(z, xp) and derivative_xp(z, a, xp)")
        for activation in parts["activations"]
    ]
    for part, methods in needs:
        if not getattr(part, "array_api_support", False):
            raise TypeError(
                f"{part!r} has no Array API support, which training on "
                "arrays of another library than NumPy (array_api_dispatch=True) "
                f"needs: give {type(part).__name__} array_api_support = True "
                f"and implement {methods}, or train on NumPy arrays."
            )
