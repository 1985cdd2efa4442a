"""The network: a sequence of layers over one flat parameter vector.

The flat vector is laid out group by group (weights, then biases: see
`skprop._layers.default_groups`), each group layer by layer. For dense layers
this is scikit-learn's MLP packing for L-BFGS, and the L2 penalty is one
slice. Every layer's arrays are views into the vector, and so are their
gradients into `grad`.
"""

import numpy as np

from skprop._layers import default_groups

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


def views(flat, places):
    """Per-layer arrays viewing the flat vector."""
    return [
        [flat[start : start + int(np.prod(shape))].reshape(shape) for start, shape in p]
        for p in places
    ]


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


def predict_raw(X, layers, arrays):
    """Raw network output for `X`, chunk by chunk of rows.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    layers : list of Layer
    arrays : list of list of ndarray
        Each layer's parameter arrays.

    Work buffers belong to the call, so concurrent calls are thread-safe.
    """
    n_rows = X.shape[0]
    dtype = np.result_type(X.dtype, arrays[0][0].dtype)
    chunk = max(1, min(n_rows, PREDICT_CHUNK_ROWS))
    hidden = [np.empty((chunk, layer.n_units), dtype) for layer in layers[:-1]]
    raw = np.empty((n_rows, layers[-1].n_units), dtype)
    for start in range(0, n_rows, chunk):
        stop = min(start + chunk, n_rows)
        a = X[start:stop]
        for layer, layer_arrays, buffer in zip(layers[:-1], arrays, hidden):
            a = layer.predict(layer_arrays, a, buffer[: stop - start])
        layers[-1].predict(arrays[-1], a, raw[start:stop])
    return raw


class Network:
    """A sequence of layers over one flat parameter vector, for training.

    Work buffers are allocated once, for the largest batch, and every batch
    reuses them.

    Parameters
    ----------
    layers : list of Layer
    params : ndarray of shape (n_params,)
        Flat parameters, laid out as `layout` says; updated in place by the
        training loop.
    groups : list of ParameterGroup, default=None
        The groups of the flat vector, in order (`default_groups` if None).
    """

    def __init__(self, layers, params, groups=None):
        self.layers = layers
        self.params = params
        places, self.groups, size = layout(layers, groups or default_groups())
        if size != params.size:
            raise ValueError(f"The layers have {size} parameters, not {params.size}.")
        self.arrays = views(params, places)
        self.grad = np.zeros_like(params)
        self.grad_arrays = views(self.grad, places)
        group_options(self, self.groups)
        self.dropout = any(getattr(layer, "dropout", 0) for layer in layers)
        self._allocate(0)

    @classmethod
    def empty(cls, layers, dtype, groups=None):
        """A network with uninitialised parameters."""
        _, _, size = layout(layers, groups or default_groups())
        return cls(layers, np.empty(size, dtype=dtype), groups)

    def initialize(self, rng):
        """Initial parameters, layer by layer, each as the layer draws them."""
        for layer, arrays in zip(self.layers, self.arrays):
            layer.initialize(arrays, rng)

    def initialize_from_data(self, X, rng):
        """Data-driven initial parameters: layer by layer, each layer that
        has such an initialisation (`Layer.initialize_from_data`) draws it
        from the rows of `X` as they reach it, after the layers before it
        were initialised."""
        a = X
        for layer, arrays in zip(self.layers, self.arrays):
            layer.initialize_from_data(arrays, a, rng)
            out = np.empty((a.shape[0], layer.n_units), self.params.dtype)
            a = layer.predict(arrays, a, out)

    def load(self, arrays):
        """Copy per-layer arrays (such as fitted attributes) into the vector."""
        for mine, given in zip(self.arrays, arrays):
            for target, source in zip(mine, given):
                np.copyto(target, source)

    def _allocate(self, n_rows):
        """Work buffers for batches of up to `n_rows` rows."""
        dtype = self.params.dtype
        # The first layer's input gradient is never needed: no buffer for it.
        self._buffers = [
            {
                name: np.empty((n_rows, cols), dtype)
                for name, cols in layer.buffers(input_grad=i > 0).items()
            }
            for i, layer in enumerate(self.layers)
        ]
        self._ones = np.ones(n_rows, dtype)
        self._views = {}

    def _workspace(self, n_rows):
        """Each layer's buffers for a batch of `n_rows` rows.

        They are leading rows of the buffers sized for the largest batch so
        far, so the smaller last batch of an epoch, or a `partial_fit` call of
        another size, reuses the same memory.
        """
        if n_rows > self._ones.shape[0]:
            self._allocate(n_rows)
        if n_rows not in self._views:
            ones = self._ones[:n_rows]
            self._views[n_rows] = [
                {"ones": ones, **{name: b[:n_rows] for name, b in buffers.items()}}
                for buffers in self._buffers
            ]
        return self._views[n_rows]

    def forward(self, X, rng=None):
        """Forward pass of one batch, keeping what `backward` needs.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_rows, n_features)
        rng : RandomState or None, default=None
            Source of dropout masks (None: no dropout).

        Returns
        -------
        raw : ndarray of shape (n_rows, n_outputs)
            Network output before the link (a work buffer: copy to keep).
        """
        work = self._workspace(X.shape[0])
        a = X
        for layer, arrays, layer_work in zip(self.layers, self.arrays, work):
            a = layer.forward(arrays, a, layer_work, rng)
        return a

    def backward(self, grad_raw):
        """Back-propagate the gradient of the objective with respect to the
        raw output into `self.grad` (data term only: no penalty).

        Parameters
        ----------
        grad_raw : ndarray of shape (n_rows, n_outputs)
            Gradient with respect to the last forward pass's raw output.
        """
        work = self._workspace(grad_raw.shape[0])
        delta = grad_raw
        for i in range(len(self.layers) - 1, -1, -1):
            delta = self.layers[i].backward(
                self.arrays[i], self.grad_arrays[i], delta, work[i], input_grad=i > 0
            )

    def predict(self, X):
        """Raw output for `X` with the current parameters (a fresh array)."""
        return predict_raw(X, self.layers, self.arrays)
