"""The engine for arrays of another Array API library than NumPy (torch,
CuPy, array-api-strict): the network, its batches and one epoch, written
against the standard, without ``out=`` buffers.

It mirrors `skprop._network` and `skprop._epoch` step for step, so that a
float64 fit on another library gives the NumPy engine's weights up to
rounding. Nothing here reads an array back to the host within an epoch: the
epoch's loss is accumulated on the device and read once at its end, where a
non-finite value raises the usual `DivergenceError`.
"""

import math

import numpy as np
from scipy import sparse

from skprop._epoch import divergence_error
from skprop._layers import Dense, default_groups
from skprop._network import PREDICT_CHUNK_ROWS, group_options, layout
from skprop._numeric import host_dtype, to_numpy, xp_clip_global_norm


def views(flat, places, xp):
    """Per-layer arrays viewing the flat vector (`skprop._network.views`)."""
    return [
        [
            xp.reshape(flat[start : start + math.prod(shape)], shape)
            for start, shape in p
        ]
        for p in places
    ]


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


class ArrayNetwork:
    """`skprop._network.Network` for arrays of the namespace `xp`.

    Parameters
    ----------
    layers : list of Dense
    params : array of shape (n_params,)
        Flat parameters in `xp`, on the training device; updated in place.
    xp : namespace
    groups : list of ParameterGroup, default=None
    """

    def __init__(self, layers, params, xp, groups=None):
        for layer in layers:
            if type(layer) is not Dense:
                raise TypeError(
                    f"{type(layer).__name__} layers have no Array API support "
                    "yet: train on NumPy arrays."
                )
        self.layers, self.params, self.xp = layers, params, xp
        places, self.groups, size = layout(layers, groups or default_groups())
        if size != params.shape[0]:
            raise ValueError(f"The layers have {size} parameters, not {params.shape}.")
        self.arrays = views(params, places, xp)
        # The gradient is gathered in the order of the flat vector.
        self._grad_order = sorted(
            (start, i, j)
            for i, p in enumerate(places)
            for j, (start, _) in enumerate(p)
        )
        self.grad = xp.zeros_like(params)
        group_options(self, self.groups)
        self.dropout = any(layer.dropout for layer in layers)
        self.dropout_source = None
        self._caches = None

    def load(self, arrays):
        """Copy per-layer arrays (of this namespace and device) into the vector."""
        for mine, given in zip(self.arrays, arrays):
            for target, source in zip(mine, given):
                target[...] = source

    def forward(self, X, dropout=None):
        """Raw output of a training batch; `dropout` is a DropoutSource or
        None (no dropout)."""
        xp = self.xp
        self._caches = []
        a = X
        for layer, (coef, intercept) in zip(self.layers, self.arrays):
            z = a @ coef + intercept
            cache = {"input": a, "z": z, "output": None, "mask": None}
            self._caches.append(cache)
            if layer.activation is None:
                a = z
                continue
            a = layer.activation.forward_xp(z, xp)
            cache["output"] = a
            if dropout is not None and layer.dropout > 0:
                cache["mask"] = dropout.mask(a.shape, layer.dropout, a.dtype)
                a = a * cache["mask"]
        return a

    def backward(self, grad_raw):
        """The gradient of the last forward pass into ``self.grad`` (a new
        flat array; data term only)."""
        xp = self.xp
        grads = [None] * len(self.layers)
        delta = grad_raw
        for i in range(len(self.layers) - 1, -1, -1):
            layer, cache = self.layers[i], self._caches[i]
            if layer.activation is not None:
                if cache["mask"] is not None:
                    delta = delta * cache["mask"]
                delta = layer.activation.backward_xp(
                    cache["z"], cache["output"], delta, xp
                )
            grads[i] = [cache["input"].T @ delta, xp.sum(delta, axis=0)]
            if i > 0:
                delta = delta @ self.arrays[i][0].T
        self.grad = xp.concat(
            [xp.reshape(grads[i][j], (-1,)) for _, i, j in self._grad_order]
        )

    def predict(self, X):
        """Raw output for `X` with the current parameters."""
        return predict_raw(X, self.layers, self.arrays, self.xp)


def predict_raw(X, layers, arrays, xp):
    """Raw network output for `X`, chunk by chunk of rows
    (`skprop._network.predict_raw`)."""
    n_rows = X.shape[0]
    chunks = []
    for start in range(0, max(n_rows, 1), PREDICT_CHUNK_ROWS):
        # The standard leaves slices past the end unspecified.
        a = X[start : min(start + PREDICT_CHUNK_ROWS, n_rows), ...]
        for layer, (coef, intercept) in zip(layers, arrays):
            a = a @ coef + intercept
            if layer.activation is not None:
                a = layer.activation.forward_xp(a, xp)
        chunks.append(a)
    return chunks[0] if len(chunks) == 1 else xp.concat(chunks, axis=0)


class ArrayBatches:
    """Minibatches of device arrays; a shuffled epoch's order (drawn on the
    host, as the NumPy engine draws it) goes to the device once."""

    def __init__(self, X, y, sample_weight, batch_size, xp, device):
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.batch_size, self.xp, self.device = batch_size, xp, device

    def __call__(self, order):
        """Yield ``(X, y, sample_weight)`` batches; `order` None keeps rows
        in place."""
        xp = self.xp
        n_samples = self.y.shape[0]
        if order is not None:
            order = xp.asarray(order, device=self.device)
        for start in range(0, n_samples, self.batch_size):
            stop = min(start + self.batch_size, n_samples)
            arrays = (self.X, self.y, self.sample_weight)
            if order is None:
                yield tuple(None if a is None else a[start:stop, ...] for a in arrays)
                continue
            rows = order[start:stop]
            yield tuple(None if a is None else xp.take(a, rows, axis=0) for a in arrays)


def penalized(net, total, alpha):
    """`skprop._epoch.penalized` on the device."""
    xp = net.xp
    for piece in net.l2_slices:
        coef = net.params[piece]
        total = total + 0.5 * alpha * xp.sum(coef * coef)
    return total


def objective(net, loss, X, y, sample_weight, alpha, denominator, dropout=None):
    """`skprop._epoch.objective` on the device: a 0-d array."""
    xp = net.xp
    raw = net.forward(X, dropout)
    scale = 1.0 / denominator
    total, grad_raw = loss.weighted_xp(y, raw, sample_weight, scale, xp)
    net.backward(grad_raw)
    for piece in net.l2_slices:
        net.grad[piece] = net.grad[piece] + (alpha * scale) * net.params[piece]
    return penalized(net, total, alpha) * scale


def take_step(net, optimizer, state, lr):
    """`skprop._epoch.take_step` on the device."""
    options = {}
    if optimizer.decoupled_weight_decay and net.decay_slices is not None:
        options["decay"] = net.decay_slices
    step, state = optimizer.update_xp(
        net.grad, state, net.params, lr, net.xp, **options
    )
    for piece, factor in net.lr_factors:
        step[piece] = step[piece] * factor
    net.params += step
    return state


def run_epoch(net, loss, optimizer, state, batches, order, settings, rng):
    """`skprop._epoch.run_epoch` on the device, read back once at the end."""
    xp = net.xp
    if net.dropout and net.dropout_source is None:
        net.dropout_source = DropoutSource(xp, batches.device, rng.randint(2**31))
    accumulated = 0.0
    for X, y, weight in batches(order):
        n_rows = y.shape[0]
        denominator = n_rows * settings["mean_weight"]
        value = objective(
            net,
            loss,
            X,
            y,
            weight,
            settings["alpha"],
            denominator,
            net.dropout_source,
        )
        if settings["clip_grad_norm"] is not None:
            net.grad, _ = xp_clip_global_norm(net.grad, settings["clip_grad_norm"], xp)
        state = take_step(net, optimizer, state, settings["lr"])
        accumulated = accumulated + value * n_rows
    epoch_loss = float(accumulated / batches.y.shape[0])
    if not math.isfinite(epoch_loss):
        raise divergence_error(
            f"the training loss became {epoch_loss}",
            settings["epoch"],
            weights_non_finite=not all_finite(net.grad, xp),
        )
    return epoch_loss, state


def all_finite(a, xp):
    """Whether every element of `a` is finite (one value read back)."""
    return bool(xp.all(xp.isfinite(a)))


def full_objective(net, loss, X, y, sample_weight, alpha):
    """`skprop._epoch.full_objective` on the device; the value is read back."""
    xp = net.xp
    raw = net.predict(X)
    total = loss.value_xp(y, raw, sample_weight, xp)
    weight = y.shape[0] if sample_weight is None else xp.sum(sample_weight)
    return float(penalized(net, total, alpha) / weight), raw


# ----------------------------------------------------------------------
# A classifier's outputs, as `skprop._classifier` computes them on NumPy.
# ----------------------------------------------------------------------

_MULTILABEL = "multilabel-indicator"
_SINGLE = "single-class"


def accuracy(target_type, link, Y, raw, sample_weight, xp):
    """Weighted accuracy of raw outputs against a 0/1 target matrix."""
    if target_type == _SINGLE:
        return 1.0
    proba = link.inverse_xp(raw, xp)
    if target_type == "multiclass":
        correct = xp.argmax(proba, axis=1) == xp.argmax(Y, axis=1)
    else:
        correct = xp.all((proba > 0.5) == (Y > 0.5), axis=1)
    correct = xp.astype(correct, raw.dtype)
    if sample_weight is None:
        return float(xp.mean(correct))
    return float(xp.sum(correct * sample_weight) / xp.sum(sample_weight))


def predict_labels(estimator, raw, xp):
    """Labels (or a 0/1 indicator matrix) of raw outputs; labels are taken
    from `classes_`, on the device unless they are strings."""
    target_type, link = estimator._target_type, estimator._fitted_link
    if target_type == _MULTILABEL:
        indicator = xp.astype(link.inverse_xp(raw, xp) > 0.5, xp.int64)
        if estimator._sparse_target:
            return sparse.csr_matrix(to_numpy(indicator))
        return indicator
    if target_type == _SINGLE:
        index = xp.zeros(raw.shape[0], dtype=xp.int64, device=raw.device)
    elif target_type == "binary":
        index = xp.astype(link.inverse_xp(raw, xp)[:, 0] > 0.5, xp.int64)
    else:
        index = xp.argmax(link.inverse_xp(raw, xp), axis=1)
    classes = estimator.classes_
    if isinstance(classes, np.ndarray):
        return classes[to_numpy(index)]
    return xp.take(classes, index, axis=0)


def predict_proba(target_type, link, raw, xp):
    """`predict_proba` of raw outputs, floored and capped as on NumPy."""
    if target_type == _SINGLE:
        return xp.ones_like(raw)
    if target_type == "binary":
        proba = xp.concat(
            [link.complement_xp(raw, xp), link.inverse_xp(raw, xp)], axis=1
        )
    else:
        proba = link.inverse_xp(raw, xp)
    host = host_dtype(raw.dtype).type
    tiny = float(np.finfo(host).tiny)
    upper = float(np.nextafter(host(1), host(0))) if target_type == _MULTILABEL else 1.0
    return xp.clip(proba, min=tiny, max=upper)


def predict_log_proba(target_type, link, raw, xp):
    """`predict_log_proba` of raw outputs, as on NumPy: stable from the
    logits, floored, and the log of `predict_proba` above 0.5."""
    if target_type == _SINGLE:
        return xp.zeros_like(raw)
    log_proba = link.log_inverse_xp(raw, xp)
    if target_type == "binary":
        log_proba = xp.concat([link.log_complement_xp(raw, xp), log_proba], axis=1)
    floor = math.log(float(xp.finfo(raw.dtype).smallest_normal))
    log_proba = xp.clip(log_proba, min=floor)
    proba = predict_proba(target_type, link, raw, xp)
    return xp.where(proba > 0.5, xp.log(proba), log_proba)
