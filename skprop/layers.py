"""Input layers: learned transformations of the features in front of the
hidden layers, for an estimator's ``input_layers`` parameter.

An input layer is a part like a loss or an optimizer: it holds
hyper-parameters only. When an estimator is fitted, `InputLayer.build` turns
it into an engine layer (`skprop._layers.Layer`) sized for the data, whose
arrays train with the network's and are kept in the fitted attribute
``input_params_``. Each input layer's arrays belong to a parameter group of
its own kind ("scale", "embedding"), whose learning-rate factor and weight
decay the estimator's ``parameter_groups`` can change.
"""

import math
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.utils._param_validation import Interval, StrOptions

from skprop._component import Component
from skprop._layers import Layer

_TWO_PI = 2.0 * math.pi


class InputLayer(Component):
    """Base class of input layers.

    A subclass implements `build`, which returns the engine layer for the
    training data (`skprop._layers.Layer`, written against ``ops`` so that
    it trains on every array library), and `group`, the parameter group of
    its arrays.

    Attributes
    ----------
    array_api_support : bool
        Whether the engine layer that `build` returns trains on every array
        library (it is written against ``ops``); False for one that trains on
        NumPy only.

    Examples
    --------
    >>> from skprop import BackpropRegressor
    >>> from skprop.layers import FeatureScale, PeriodicEmbedding
    >>> model = BackpropRegressor(
    ...     input_layers=[PeriodicEmbedding(n_frequencies=8), FeatureScale()],
    ...     parameter_groups={"scale": {"lr_factor": 6.0}},
    ... )
    """

    array_api_support = True

    def build(self, n_inputs, X):
        """The engine layer that this part describes.

        Parameters
        ----------
        n_inputs : int
            Width of the layer's input.
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The network's training input, for layers that look at the data
            (its width equals `n_inputs` for the first input layer only).

        Returns
        -------
        layer : Layer
        """
        raise NotImplementedError

    def group(self):
        """The parameter group of the layer's arrays, with its defaults.

        Returns
        -------
        group : dict
            `skprop._layers.ParameterGroup`'s arguments: ``name``, ``l2``
            and optionally ``lr_factor`` and ``weight_decay``.
        """
        raise NotImplementedError


class FeatureScale(InputLayer):
    """A learnable scale per feature, ``x * s``, with ``s`` starting at 1.

    It lets training weigh the features before the first dense layer mixes
    them. Its arrays form the group "scale": no L2 penalty and no weight
    decay by default (decay would pull the scales to 0); a learning-rate
    factor above 1 (through ``parameter_groups``) makes it adapt faster than
    the dense weights.

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> from skprop.layers import FeatureScale
    >>> model = BackpropClassifier(
    ...     input_layers=[FeatureScale()],
    ...     parameter_groups={"scale": {"lr_factor": 6.0}},
    ... )
    """

    def build(self, n_inputs, X):
        return _Scale(n_inputs)

    def group(self):
        return dict(name="scale", l2=False, weight_decay=False)


class PeriodicEmbedding(InputLayer):
    """Periodic embeddings of numeric features, concatenated with them.

    For each embedded feature ``x``, ``n_frequencies`` periodic features
    ``cos(2 * pi * w * x + b)`` (frequencies ``w`` drawn from
    ``N(0, sigma**2)``, phases ``b`` uniform in ``[-pi, pi]``, both trained)
    go through a small linear map of the feature's own to `n_outputs`
    values. The layer's output is the input followed by every embedded
    feature's `n_outputs` values. Such embeddings let a network fit the
    sharp, irregular functions of single features that tabular targets often
    are.

    Parameters
    ----------
    n_frequencies : int, default=16
        Periodic features per embedded feature.
    n_outputs : int, default=4
        Values per embedded feature after the linear map.
    sigma : float, default=0.1
        Standard deviation of the initial frequencies, for inputs on a unit
        scale.
    binary : {"skip", "embed"}, default="skip"
        Whether features with at most two distinct values in the training
        data (one-hot columns, missing-value indicators) pass through
        unembedded. Applies when the layer sees the network's input; after
        another input layer every feature is embedded.

    Notes
    -----
    All its arrays form the group "embedding": no L2 penalty and no weight
    decay by default.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop import BackpropRegressor
    >>> from skprop.layers import PeriodicEmbedding
    >>> X = np.linspace(-1, 1, 40).reshape(-1, 1)
    >>> model = BackpropRegressor(
    ...     (16,), input_layers=[PeriodicEmbedding(n_frequencies=4)],
    ...     max_iter=5, random_state=0,
    ... ).fit(X, np.sin(8 * X.ravel()))
    >>> [a.shape for a in model.input_params_[0]]
    [(1, 4), (1, 4), (1, 4, 4), (1, 4)]
    """

    _parameter_constraints = {
        "n_frequencies": [Interval(Integral, 1, None, closed="left")],
        "n_outputs": [Interval(Integral, 1, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="neither")],
        "binary": [StrOptions({"skip", "embed"})],
    }

    def __init__(self, n_frequencies=16, n_outputs=4, sigma=0.1, binary="skip"):
        self.n_frequencies = n_frequencies
        self.n_outputs = n_outputs
        self.sigma = sigma
        self.binary = binary

    def build(self, n_inputs, X):
        if self.binary == "skip" and X.shape[1] == n_inputs:
            columns = np.flatnonzero(_distinct_counts(X) > 2)
        else:
            columns = np.arange(n_inputs)
        return _Periodic(
            n_inputs, columns, self.n_frequencies, self.n_outputs, self.sigma
        )

    def group(self):
        return dict(name="embedding", l2=False, weight_decay=False)


def _distinct_counts(X):
    """Number of distinct values in each column (NaN counts as one value)."""
    if sparse.issparse(X):
        X = X.tocsc()
        counts = []
        for j in range(X.shape[1]):
            stored = X.data[X.indptr[j] : X.indptr[j + 1]]
            implicit_zero = X.indptr[j + 1] - X.indptr[j] < X.shape[0]
            values = np.unique(np.append(stored, 0.0) if implicit_zero else stored)
            counts.append(values.size)
        return np.array(counts, dtype=int)
    X = np.asarray(X)
    return np.array([np.unique(X[:, j]).size for j in range(X.shape[1])], dtype=int)


class _Front(Layer):
    """An engine layer in front of the hidden layers: an output buffer, and
    the input's gradient where the layer has a layer before it."""

    dropout = 0.0

    def buffers(self, input_grad=True):
        names = {"out": self.n_units}
        if input_grad:
            names["grad_input"] = self.n_inputs
        return names


class _Scale(_Front):
    """Engine layer of `FeatureScale`: ``x * scale``."""

    def __init__(self, n_inputs):
        self.n_inputs = n_inputs
        self.n_units = n_inputs

    def parameters(self):
        return [("scale", (self.n_inputs,), "scale")]

    def initialize(self, arrays, rng):
        arrays[0][...] = 1.0

    def forward(self, arrays, X, work, ops, rng=None):
        X = ops.dense(X)
        work["input"] = X
        return ops.multiply(X, arrays[0], out=work["out"])

    def backward(self, arrays, grads, grad_output, work, ops, input_grad=True):
        ops.column_dot(work["input"], grad_output, out=grads[0])
        if not input_grad:
            return None
        return ops.multiply(grad_output, arrays[0], out=work["grad_input"])

    def predict(self, arrays, X, out, ops):
        return ops.multiply(ops.dense(X), arrays[0], out=out)


class _Periodic(_Front):
    """Engine layer of `PeriodicEmbedding`.

    For the embedded columns ``x`` (n_rows, n_embedded):
    ``u = 2 pi x w + b`` (n_embedded, n_rows, n_frequencies), ``p = cos(u)``,
    ``h = p @ coef + intercept`` per column (n_embedded, n_rows, n_outputs);
    the output is ``[X, h]`` with ``h`` laid out column by column.
    """

    def __init__(self, n_inputs, columns, n_frequencies, n_outputs, sigma):
        self.n_inputs = n_inputs
        self.columns = np.asarray(columns, dtype=np.intp)
        self.n_frequencies = n_frequencies
        self.n_outputs = n_outputs
        self.sigma = sigma
        self.n_units = n_inputs + self.columns.size * n_outputs

    def parameters(self):
        e, k, m = self.columns.size, self.n_frequencies, self.n_outputs
        return [
            ("frequencies", (e, k), "embedding"),
            ("phases", (e, k), "embedding"),
            ("coef", (e, k, m), "embedding"),
            ("intercept", (e, m), "embedding"),
        ]

    def initialize(self, arrays, rng):
        frequencies, phases, coef, intercept = arrays
        frequencies[...] = rng.normal(0.0, self.sigma, frequencies.shape)
        phases[...] = rng.uniform(-math.pi, math.pi, phases.shape)
        bound = math.sqrt(6.0 / (self.n_frequencies + self.n_outputs))
        coef[...] = rng.uniform(-bound, bound, coef.shape)
        intercept[...] = rng.uniform(-bound, bound, intercept.shape)

    def _embed(self, arrays, X, out, ops):
        """Output (into `out` where the backend reuses buffers) and the
        embedded columns, ``u`` and ``cos(u)``."""
        frequencies, phases, coef, intercept = arrays
        X = ops.dense(X)
        x = ops.columns(X, ops.index(self.columns)).T  # (e, n)
        u = x[:, :, None] * (_TWO_PI * frequencies)[:, None, :]
        u = ops.add(u, phases[:, None, :], out=u)
        periodic = ops.cos(u)
        h = ops.matmul(periodic, coef)  # (e, n, m)
        h = ops.add(h, intercept[:, None, :], out=h)
        h = ops.permute_dims(h, (1, 0, 2))
        h = _reshape(h, (X.shape[0], -1), ops)
        return ops.concat_columns([X, h], out), x, u, periodic

    def forward(self, arrays, X, work, ops, rng=None):
        out, work["x"], work["u"], work["periodic"] = self._embed(
            arrays, X, work["out"], ops
        )
        return out

    def backward(self, arrays, grads, grad_output, work, ops, input_grad=True):
        frequencies, _, coef, _ = arrays
        g_frequencies, g_phases, g_coef, g_intercept = grads
        x, u = work["x"], work["u"]
        n_rows = grad_output.shape[0]
        e, m = self.columns.size, self.n_outputs
        # (n, e * m) -> (e, n, m), the layout of h.
        g_h = ops.permute_dims(
            _reshape(grad_output[:, self.n_inputs :], (n_rows, e, m), ops), (1, 0, 2)
        )
        ops.assign(g_intercept, ops.sum(g_h, axis=1))
        ops.matmul(ops.permute_dims(work["periodic"], (0, 2, 1)), g_h, out=g_coef)
        # d cos(u) / du = -sin(u).
        g_u = ops.matmul(g_h, ops.permute_dims(coef, (0, 2, 1)))
        g_u = ops.multiply(g_u, -ops.sin(u), out=g_u)
        ops.assign(g_phases, ops.sum(g_u, axis=1))
        ops.assign(g_frequencies, _TWO_PI * ops.matmul(x[:, None, :], g_u)[:, 0, :])
        if not input_grad:
            return None
        grad_input = ops.copy_into(grad_output[:, : self.n_inputs], work["grad_input"])
        g_x = ops.matmul(g_u, frequencies[:, :, None])[:, :, 0]  # (e, n)
        return ops.add_columns(grad_input, self.columns, _TWO_PI * g_x.T)

    def predict(self, arrays, X, out, ops):
        return self._embed(arrays, X, out, ops)[0]


def _reshape(a, shape, ops):
    """`a` reshaped, in its own namespace."""
    return a.reshape(shape) if ops.xp is None else ops.xp.reshape(a, shape)


# The engine layer each part builds, so that a fitted model can be saved as
# plain data and rebuilt (see BaseBackprop.__getstate__).
FeatureScale._layer_type = _Scale
PeriodicEmbedding._layer_type = _Periodic

_REGISTRY = {
    "scale": FeatureScale,
    "periodic": PeriodicEmbedding,
}
