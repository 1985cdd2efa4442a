"""The network: a sequence of layers over one flat parameter vector.

The flat vector is laid out group by group (weights, then biases: see
`skprop._layers.default_groups`), each group layer by layer. For dense layers
this is scikit-learn's MLP packing for L-BFGS, and the L2 penalty is one
slice. Every layer's arrays are views into the vector, and so are their
gradients into `grad`.
"""

import functools
import inspect
import math

import numpy as np

from skprop._layers import default_groups
from skprop._ops import NUMPY

# Rows that go through the network at once in `predict_raw`: enough for
# efficient matrix products, few enough that one chunk's activations stay in
# cache and the whole data set's never exist at once.
PREDICT_CHUNK_ROWS = 4096


def layout(layers, groups):
    """Where each layer's arrays lie in the flat vector.

    Returns
    -------
    places : list of list of (start, shape)
        One list per layer, in the order of its `parameters`.
    group_slices : list of (ParameterGroup, slice)
    size : int
    """
    places = [[None] * len(layer.parameters()) for layer in layers]
    group_slices = []
    start = 0
    for group in groups:
        group_start = start
        for i, layer in enumerate(layers):
            for j, (_, shape, group_name) in enumerate(layer.parameters()):
                if group_name == group.name:
                    places[i][j] = (start, shape)
                    start += int(np.prod(shape))
        group_slices.append((group, slice(group_start, start)))
    return places, group_slices, start


def group_options(net, groups):
    """Set what training needs of the groups on `net`, worked out once:
    ``l2_slices``, the slices that decay (``decay_slices``, None: all of
    them) and learning-rate factors (``lr_factors``)."""
    net.l2_slices = [piece for group, piece in groups if group.l2]
    decayed = [piece for group, piece in groups if group.weight_decay]
    net.decay_slices = None if len(decayed) == len(groups) else decayed
    net.lr_factors = [
        (piece, group.lr_factor) for group, piece in groups if group.lr_factor != 1.0
    ]


def matrices(layers, places):
    """``(slice, shape)`` of every hidden layer's weight matrix in the flat
    vector (the 2-D arrays of group "weights" with no side of 1, the output
    layer's aside): what matrix-aware optimizers such as Muon work on."""
    found = []
    for layer, layer_places in zip(layers[:-1], places[:-1]):
        for (_, shape, group), (start, _) in zip(layer.parameters(), layer_places):
            if group == "weights" and len(shape) == 2 and min(shape) > 1:
                found.append((slice(start, start + math.prod(shape)), shape))
    return found


def engine_layers(layers, ops):
    """`layers` as the engine calls them: layers written before the engine
    took `ops` (``forward(arrays, X, work, rng)``) keep working on NumPy."""
    return [
        layer if _takes_ops(layer) else _NumpyOnlyLayer(layer, ops) for layer in layers
    ]


def _takes_ops(layer):
    """Whether a layer's `forward` takes the `ops` argument."""
    return _forward_takes_ops(type(layer))


@functools.lru_cache(maxsize=None)
def _forward_takes_ops(layer_type):
    return "ops" in inspect.signature(layer_type.forward).parameters


class _NumpyOnlyLayer:
    """A layer of the former interface (no `ops`), for NumPy only."""

    def __init__(self, layer, ops):
        if ops.xp is not None:
            raise TypeError(
                f"{type(layer).__name__} has no Array API support: its forward, "
                "backward and predict do not take `ops` (see skprop._layers."
                "Layer). Train on NumPy arrays, or write them against `ops`."
            )
        self.layer = layer

    def __getattr__(self, name):
        return getattr(self.layer, name)

    def forward(self, arrays, X, work, ops, rng=None):
        return self.layer.forward(arrays, X, work, rng)

    def backward(self, arrays, grads, grad_output, work, ops, input_grad=True):
        return self.layer.backward(arrays, grads, grad_output, work, input_grad)

    def predict(self, arrays, X, out, ops):
        return self.layer.predict(arrays, X, out)


def predict_raw(X, layers, arrays, ops=NUMPY):
    """Raw network output for `X`, chunk by chunk of rows.

    Parameters
    ----------
    X : array or sparse matrix of shape (n_samples, n_features)
    layers : list of Layer
    arrays : list of list of array
        Each layer's parameter arrays.
    ops : NumpyOps or ArrayOps, default=NUMPY
        The array library of `X` and `arrays` (`skprop._ops`).

    Work buffers belong to the call, so concurrent calls are thread-safe.
    """
    layers = engine_layers(layers, ops)
    n_rows = X.shape[0]
    # A row of several members holds each member's activations.
    n_members = max(getattr(layer, "n_members", 1) for layer in layers)
    chunk = max(1, min(n_rows, PREDICT_CHUNK_ROWS // n_members))
    hidden, raw = [None] * len(layers), None
    if ops.reuses_buffers:
        dtype = np.result_type(X.dtype, arrays[0][0].dtype)
        hidden = [np.empty((chunk, layer.n_units), dtype) for layer in layers[:-1]]
        raw = np.empty((n_rows, layers[-1].n_units), dtype)
    chunks = []
    for start in range(0, n_rows, chunk):
        stop = min(start + chunk, n_rows)
        a = X[start:stop, ...]
        for layer, layer_arrays, buffer in zip(layers[:-1], arrays, hidden):
            a = layer.predict(layer_arrays, a, _rows(buffer, stop - start), ops)
        out = None if raw is None else raw[start:stop]
        chunks.append(layers[-1].predict(arrays[-1], a, out, ops))
    if raw is not None:
        return raw
    return chunks[0] if len(chunks) == 1 else ops.xp.concat(chunks, axis=0)


def _rows(buffer, n_rows):
    """The leading `n_rows` rows of a buffer (None: no buffer)."""
    return None if buffer is None else buffer[:n_rows]


class Network:
    """A sequence of layers over one flat parameter vector, for training.

    On NumPy, work buffers are allocated once, for the largest batch, and
    every batch reuses them; other backends (``ops.reuses_buffers`` False)
    have none.

    Parameters
    ----------
    layers : list of Layer
    params : array of shape (n_params,)
        Flat parameters, laid out as `layout` says; updated in place by the
        training loop.
    groups : list of ParameterGroup, default=None
        The groups of the flat vector, in order (`default_groups` if None).
    ops : NumpyOps or ArrayOps, default=NUMPY
        The array library of `params` (`skprop._ops`).
    """

    def __init__(self, layers, params, groups=None, ops=NUMPY):
        self.layers = layers
        self.params = params
        self.ops = ops
        self._engine_layers = engine_layers(layers, ops)
        places, self.groups, size = layout(layers, groups or default_groups())
        if size != params.shape[0]:
            raise ValueError(f"The layers have {size} parameters, not {params.shape}.")
        self.arrays = ops.views(params, places)
        self.grad = ops.zeros_like(params)
        self.grad_arrays = ops.views(self.grad, places)
        self.matrices = matrices(layers, places)
        group_options(self, self.groups)
        self.dropout = any(getattr(layer, "dropout", 0) for layer in layers)
        self.dropout_source = None
        self._allocate(0)

    @classmethod
    def empty(cls, layers, dtype, groups=None):
        """A NumPy network with uninitialised parameters."""
        _, _, size = layout(layers, groups or default_groups())
        return cls(layers, np.empty(size, dtype=dtype), groups)

    def on(self, ops, arrays=None):
        """This network for `ops`' backend (itself on NumPy, else its layers
        over a copy of its parameters there), holding `arrays` (per-layer
        arrays, such as fitted attributes) where they are given."""
        net = self
        if ops is not self.ops:
            groups = [group for group, _ in self.groups]
            net = Network(self.layers, ops.device_params(self.params), groups, ops)
        if arrays is not None:
            net.load(ops.fitted_arrays(arrays))
        return net

    def initialize(self, rng):
        """Initial parameters, layer by layer, each as the layer draws them."""
        for layer, arrays in zip(self.layers, self.arrays):
            layer.initialize(arrays, rng)

    def initialize_from_data(self, X, rng):
        """Data-driven initial parameters: layer by layer, each layer that
        has such an initialisation (`Layer.initialize_from_data`) draws it
        from the rows of `X` as they reach it, after the layers before it
        were initialised (on NumPy)."""
        a = X
        for layer, arrays in zip(self._engine_layers, self.arrays):
            layer.initialize_from_data(arrays, a, rng)
            out = np.empty((a.shape[0], layer.n_units), self.params.dtype)
            a = layer.predict(arrays, a, out, self.ops)

    def load(self, arrays):
        """Copy per-layer arrays (such as fitted attributes) into the vector."""
        for mine, given in zip(self.arrays, arrays):
            for target, source in zip(mine, given):
                self.ops.assign(target, source)

    def _allocate(self, n_rows):
        """Work buffers for batches of up to `n_rows` rows."""
        dtype, reuse = self.params.dtype, self.ops.reuses_buffers
        # The first layer's input gradient is never needed: no buffer for it.
        self._buffers = [
            {
                name: np.empty((n_rows, cols), dtype) if reuse else None
                for name, cols in layer.buffers(input_grad=i > 0).items()
            }
            for i, layer in enumerate(self.layers)
        ]
        self._ones = np.ones(n_rows, dtype) if reuse else None
        self._size = n_rows if reuse else np.inf
        self._views = {}

    def _workspace(self, n_rows):
        """Each layer's buffers for a batch of `n_rows` rows.

        They are leading rows of the buffers sized for the largest batch so
        far, so the smaller last batch of an epoch, or a `partial_fit` call of
        another size, reuses the same memory.
        """
        if n_rows > self._size:
            self._allocate(n_rows)
        if n_rows not in self._views:
            ones = _rows(self._ones, n_rows)
            self._views[n_rows] = [
                {
                    "ones": ones,
                    **{name: _rows(b, n_rows) for name, b in buffers.items()},
                }
                for buffers in self._buffers
            ]
        return self._views[n_rows]

    def forward(self, X, rng=None):
        """Forward pass of one batch, keeping what `backward` needs.

        Parameters
        ----------
        X : array or sparse matrix of shape (n_rows, n_features)
        rng : RandomState, DropoutSource or None, default=None
            Source of dropout masks (None: no dropout).

        Returns
        -------
        raw : array of shape (n_rows, n_outputs)
            Network output before the link (a work buffer: copy to keep).
        """
        work, ops = self._workspace(X.shape[0]), self.ops
        a = X
        for layer, arrays, layer_work in zip(self._engine_layers, self.arrays, work):
            a = layer.forward(arrays, a, layer_work, ops, rng)
        return a

    def backward(self, grad_raw):
        """Back-propagate the gradient of the objective with respect to the
        raw output into `self.grad` (data term only: no penalty).

        Parameters
        ----------
        grad_raw : array of shape (n_rows, n_outputs)
            Gradient with respect to the last forward pass's raw output.
        """
        work, ops = self._workspace(grad_raw.shape[0]), self.ops
        delta = grad_raw
        for i in range(len(self.layers) - 1, -1, -1):
            delta = self._engine_layers[i].backward(
                self.arrays[i],
                self.grad_arrays[i],
                delta,
                work[i],
                ops,
                input_grad=i > 0,
            )

    def predict(self, X):
        """Raw output for `X` with the current parameters (a fresh array)."""
        return predict_raw(X, self.layers, self.arrays, self.ops)
