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


class CategoricalEmbedding(InputLayer):
    """A learned vector per category of chosen integer-coded columns.

    Each column of `columns` holds category codes ``0, 1, ..., K - 1`` (as
    `~sklearn.preprocessing.OrdinalEncoder` writes them); the layer replaces
    it by a learned vector of `n_dims` values per code, a row of a table
    trained with the network. Unlike a one-hot encoding, a column costs
    `n_dims` inputs of the first dense layer however many categories it
    has, and each category's vector is learned from its own rows.

    The layer's output is the other columns of its input, in their order,
    followed by each embedded column's `n_dims` values, in the order of
    `columns`.

    Parameters
    ----------
    columns : list of int or None, default=None
        Positions of the code columns in the layer's input; None embeds no
        column (the layer passes its input through). Their number of
        categories ``K`` is read from the training data when the network is
        built: the largest code plus one. A list, not an array, so that
        `partial_fit` can compare the parameters it was fitted with.
    n_dims : int, default=8
        Values per category (RealMLP-TD's embedding size), the same for
        every column, so that all the tables are one array.
    max_categories : int, default=1000
        The largest ``K`` a column may have: a guard against a numeric
        column given by mistake, whose table would have a row per value.

    Notes
    -----
    Fitting checks that the training codes of each column are integers and
    that ``K <= max_categories``. Negative codes and NaN mean "unknown"
    (OrdinalEncoder's ``unknown_value=-1`` and ``encoded_missing_value=-1``)
    and share one extra row per column, which training rows with such codes
    train; at prediction, and in later `partial_fit` or `warm_start` calls
    (which keep the fitted ``K``), every code outside ``0, ..., K - 1``
    (negative, larger, not an integer, NaN) takes that row. It starts at 0,
    the other rows are drawn from ``N(0, 1)``.

    The fitted table is ``input_params_[i][0]``, of shape
    ``(sum(K + 1), n_dims)``: column by column, its ``K`` categories' rows
    and then its unknown row. Its group is "embedding": no L2 penalty and
    no weight decay by default.

    `columns` index the layer's input, and ``K`` is read from the network's
    input: put the layer first, or after layers that pass their input's
    columns through in place (`PeriodicEmbedding`), and before
    `FeatureScale`, which would scale the codes. ONNX export
    (`skprop.onnx`) does not support it yet.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop import BackpropRegressor
    >>> from skprop.layers import CategoricalEmbedding
    >>> rng = np.random.RandomState(0)
    >>> city = rng.randint(20, size=200)
    >>> X = np.column_stack([rng.normal(size=200), city])
    >>> y = X[:, 0] + rng.normal(size=20)[city]
    >>> model = BackpropRegressor(
    ...     (16,), input_layers=[CategoricalEmbedding(columns=[1], n_dims=4)],
    ...     max_iter=5, random_state=0,
    ... ).fit(X, y)
    >>> model.input_params_[0][0].shape
    (21, 4)
    >>> model.coefs_[0].shape
    (5, 16)
    """

    _parameter_constraints = {
        "columns": [list, tuple, None],
        "n_dims": [Interval(Integral, 1, None, closed="left")],
        "max_categories": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, columns=None, n_dims=8, max_categories=1000):
        self.columns = columns
        self.n_dims = n_dims
        self.max_categories = max_categories

    def build(self, n_inputs, X):
        columns = self._checked_columns(n_inputs, X.shape[1])
        codes = X[:, columns]
        codes = codes.toarray() if sparse.issparse(codes) else np.asarray(codes)
        sizes = [self._n_categories(codes[:, j], c) for j, c in enumerate(columns)]
        return _Categorical(n_inputs, columns, sizes, self.n_dims)

    def _checked_columns(self, n_inputs, n_features):
        """`columns` as NumPy integers, each a column of the layer's input
        and of the network's."""
        columns = np.asarray([] if self.columns is None else self.columns)
        if columns.ndim != 1 or (columns.size and columns.dtype.kind not in "iu"):
            raise ValueError(
                "CategoricalEmbedding's columns must be a list of integer column "
                f"positions; got {self.columns!r}."
            )
        limit = min(n_inputs, n_features)
        if columns.size and (columns.min() < 0 or columns.max() >= limit):
            raise ValueError(
                f"CategoricalEmbedding's columns must lie in [0, {limit}) (the "
                f"columns of its input and of the data); got {self.columns!r}."
            )
        if np.unique(columns).size != columns.size:
            raise ValueError(
                f"CategoricalEmbedding's columns repeat a column: {self.columns!r}."
            )
        return columns.astype(np.intp)

    def _n_categories(self, codes, column):
        """``K`` of a column: its largest code plus one (negative codes and
        NaN are unknown)."""
        known = codes[(codes >= 0) & np.isfinite(codes)]
        fractional = known[known != np.floor(known)]
        if fractional.size:
            raise ValueError(
                f"Column {column} of the training data holds {float(fractional[0])}"
                ", which is not a category code: CategoricalEmbedding takes "
                "integer codes 0, 1, ... (from OrdinalEncoder, for example)."
            )
        size = int(known.max()) + 1 if known.size else 0
        if size > self.max_categories:
            raise ValueError(
                f"Column {column} of the training data has codes up to "
                f"{size - 1}, more than max_categories={self.max_categories} "
                "categories: raise max_categories if it holds category codes."
            )
        return size

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
        h = ops.reshape(h, (X.shape[0], -1))
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
            ops.reshape(grad_output[:, self.n_inputs :], (n_rows, e, m)), (1, 0, 2)
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


class _Categorical(_Front):
    """Engine layer of `CategoricalEmbedding`.

    One table stacks a block per embedded column: its ``sizes[j]``
    categories' rows, then its unknown row; ``offsets[j]`` is where the
    block starts. The output is ``[X[:, kept], vectors]``, with the vectors
    (n_rows, n_embedded * n_dims) laid out column by column.
    """

    def __init__(self, n_inputs, columns, sizes, n_dims):
        self.n_inputs = n_inputs
        self.columns = np.asarray(columns, dtype=np.intp)
        self.sizes = np.asarray(sizes, dtype=np.intp)
        starts = np.concatenate([[0], np.cumsum(self.sizes + 1)])
        self.offsets = starts[:-1].astype(np.intp)
        self.kept = np.setdiff1d(np.arange(n_inputs), self.columns).astype(np.intp)
        self.n_dims = n_dims
        self.n_units = self.kept.size + self.columns.size * n_dims

    def parameters(self):
        n_rows = int(np.sum(self.sizes + 1))
        return [("table", (n_rows, self.n_dims), "embedding")]

    def buffers(self, input_grad=True):
        return {
            **super().buffers(input_grad),
            "vectors": self.columns.size * self.n_dims,
        }

    def initialize(self, arrays, rng):
        table = arrays[0]
        table[...] = rng.standard_normal(table.shape)
        table[self.offsets + self.sizes] = 0.0

    def _embed(self, arrays, X, out, vectors, ops):
        """Output (into `out` where the backend reuses buffers) and the
        table rows gathered, flat (n_rows * n_embedded,)."""
        X = ops.dense(X)
        n_rows, width = X.shape[0], self.columns.size * self.n_dims
        codes = ops.columns(X, ops.index(self.columns))
        rows = ops.category_rows(codes, self.sizes, self.offsets)
        if vectors is not None:
            vectors = vectors.reshape(rows.shape[0], self.n_dims)
        vectors = ops.take(arrays[0], rows, out=vectors)
        vectors = ops.reshape(vectors, (n_rows, width))
        kept = ops.columns(X, ops.index(self.kept))
        return ops.concat_columns([kept, vectors], out), rows

    def forward(self, arrays, X, work, ops, rng=None):
        out, work["rows"] = self._embed(arrays, X, work["out"], work["vectors"], ops)
        return out

    def backward(self, arrays, grads, grad_output, work, ops, input_grad=True):
        n_kept = self.kept.size
        grad_vectors = ops.reshape(grad_output[:, n_kept:], (-1, self.n_dims))
        ops.scatter_add_rows(grad_vectors, work["rows"], out=grads[0])
        if not input_grad:
            return None
        # Codes are not differentiable: their columns' gradient is 0.
        return ops.place_columns(
            grad_output[:, :n_kept], self.kept, self.n_inputs, work["grad_input"]
        )

    def predict(self, arrays, X, out, ops):
        return self._embed(arrays, X, out, None, ops)[0]


# The engine layer each part builds, so that a fitted model can be saved as
# plain data and rebuilt (see BaseBackprop.__getstate__).
FeatureScale._layer_type = _Scale
PeriodicEmbedding._layer_type = _Periodic
CategoricalEmbedding._layer_type = _Categorical

_REGISTRY = {
    "scale": FeatureScale,
    "periodic": PeriodicEmbedding,
    "categorical": CategoricalEmbedding,
}
