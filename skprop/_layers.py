"""Layers and the parameter groups their arrays belong to.

A layer declares its parameter arrays (name, shape, group), initialises
them, and computes its forward and backward pass. It holds hyper-parameters
only: its arrays and work buffers are handed to it by the network, so one
layer object serves training (views of the network's flat vector) and
prediction (the estimator's fitted arrays) alike.
"""

import numpy as np

from skprop._numeric import dot


class ParameterGroup:
    """A kind of parameter and the options training applies to it.

    Parameters
    ----------
    name : str
        "weights", "biases", or the name of another kind.
    l2 : bool
        Whether the estimator's `alpha` penalises these parameters.
    lr_factor : float, default=1.0
        Factor on the learning rate of these parameters.
    weight_decay : bool, default=True
        Whether an optimizer's decoupled weight decay (AdamW) applies.
    """

    def __init__(self, name, l2, lr_factor=1.0, weight_decay=True):
        self.name = name
        self.l2 = l2
        self.lr_factor = lr_factor
        self.weight_decay = weight_decay

    def __repr__(self):
        return (
            f"ParameterGroup({self.name!r}, l2={self.l2}, "
            f"lr_factor={self.lr_factor}, weight_decay={self.weight_decay})"
        )


def default_groups():
    """The groups of a network, in the order of the flat vector.

    Weights first, then biases, as scikit-learn's MLP packs its parameters
    for L-BFGS; AdamW decays both, as it always has here.
    """
    return [ParameterGroup("weights", l2=True), ParameterGroup("biases", l2=False)]


class Layer:
    """Base class of layers.

    A subclass sets `n_units` (the width of its output), declares its arrays
    in `parameters` and the per-row work buffers it writes into in
    `buffers`, and implements `initialize`, `forward`, `backward` and
    `predict`; a `dropout` attribute above 0 asks for a dropout generator.
    ``arrays`` are always given in the order of `parameters`; ``work`` is a
    dict of the buffers (leading rows for the batch; None where the backend
    reuses no buffers), where `forward` may also keep what `backward` needs.

    `forward`, `backward` and `predict` are written once against ``ops``
    (`skprop._ops`), so that a layer trains on NumPy and on every Array API
    library: use each call's return value (``z = ops.add(z, b, out=z)``),
    give ``out=`` only work buffers and the views in ``grads``, and write in
    place only into arrays the engine owns. `initialize` and
    `initialize_from_data` run on NumPy arrays (parameters are drawn on the
    host, whatever the device). A layer whose methods take no ``ops``
    (``forward(arrays, X, work, rng=None)``) still trains, on NumPy only.
    """

    def parameters(self):
        """List of ``(name, shape, group name)``, one per parameter array."""
        raise NotImplementedError

    def buffers(self, input_grad=True):
        """Dict of buffer name to its number of columns; `input_grad` says
        whether `backward` will be asked for the input's gradient."""
        return {}

    def initialize(self, arrays, rng):
        """Write initial values into `arrays`, drawing from `rng`."""
        raise NotImplementedError

    def initialize_from_data(self, arrays, X, rng):
        """Data-driven initial values from the rows `X` reaching the layer;
        by default the layer keeps those of `initialize`."""

    def forward(self, arrays, X, work, ops, rng=None):
        """Output of a training batch; `rng` draws dropout (None: none)."""
        raise NotImplementedError

    def backward(self, arrays, grads, grad_output, work, ops, input_grad=True):
        """Write the gradients of `arrays` into `grads`; return the gradient
        with respect to the input (None when `input_grad` is False).
        `grad_output` may be overwritten."""
        raise NotImplementedError

    def predict(self, arrays, X, out, ops):
        """Output for new data, into `out` where the layer can."""
        raise NotImplementedError


class Dense(Layer):
    """Affine map ``X @ coef + intercept``, then an activation and dropout.

    Parameters
    ----------
    n_inputs, n_units : int
    activation : Activation or None, default=None
        None for the output layer: the loss applies its link.
    dropout : float, default=0.0
        Inverted-dropout rate of the layer's output, training only.
    init_factor : float, default=6.0
        Glorot factor: weights and intercepts are drawn uniform in
        ``+-sqrt(init_factor / (n_inputs + n_units))``, as MLP draws them.
    """

    def __init__(
        self, n_inputs, n_units, activation=None, dropout=0.0, init_factor=6.0
    ):
        self.n_inputs = n_inputs
        self.n_units = n_units
        self.activation = activation
        self.dropout = dropout
        self.init_factor = init_factor

    def parameters(self):
        return [
            ("coef", (self.n_inputs, self.n_units), "weights"),
            ("intercept", (self.n_units,), "biases"),
        ]

    def buffers(self, input_grad=True):
        names = {"z": self.n_units}
        if input_grad:
            names["grad_input"] = self.n_inputs
        if self.activation is not None and not self.activation.inplace:
            names["a"] = self.n_units
        return names

    def initialize(self, arrays, rng):
        coef, intercept = arrays
        bound = np.sqrt(self.init_factor / (self.n_inputs + self.n_units))
        coef[...] = rng.uniform(-bound, bound, coef.shape)
        intercept[...] = rng.uniform(-bound, bound, intercept.shape)

    def forward(self, arrays, X, work, ops, rng=None):
        coef, intercept = arrays
        work["input"] = X
        z = ops.dot(X, coef, out=work["z"])
        z = ops.add(z, intercept, out=z)
        if self.activation is None:
            return z
        work["pre"] = z
        out = z if self.activation.inplace else work["a"]
        a = ops.activate(self.activation, z, out)
        work["output"] = a
        return self._dropout(a, work, ops, rng)

    def _dropout(self, a, work, ops, rng):
        """`a` times a fresh inverted-dropout mask (kept for `backward`)."""
        work["mask"] = None
        if rng is None or self.dropout == 0:
            return a
        work["mask"] = ops.mask(rng, a.shape, self.dropout, a.dtype)
        # A fresh array, as the mask itself is: dropout draws per batch.
        return a * work["mask"]

    def initialize_from_data(self, arrays, X, rng, n_points=5):
        """Weights drawn from ``N(0, 1)`` and divided, unit by unit, by the
        standard deviation of ``X @ coef``, so that every pre-activation has
        unit variance on `X`; each intercept puts the unit's zero at a
        random convex combination of `n_points` rows of `X` (RealMLP's
        "std" and "he+5" initialisations)."""
        coef, intercept = arrays
        coef[...] = rng.standard_normal(coef.shape)
        z = np.asarray(dot(X, coef))
        std = z.std(axis=0)
        std[std == 0] = 1.0
        coef /= std.astype(coef.dtype)
        z /= std
        rows = rng.randint(0, X.shape[0], size=(self.n_units, n_points))
        weights = rng.exponential(1.0, size=(self.n_units, n_points))
        weights /= weights.sum(axis=1, keepdims=True)
        units = np.arange(self.n_units)[:, None]
        intercept[...] = -(z[rows, units] * weights).sum(axis=1)

    def backward(self, arrays, grads, grad_output, work, ops, input_grad=True):
        delta = grad_output
        if self.activation is not None:
            if work["mask"] is not None:
                delta = ops.multiply(delta, work["mask"], out=delta)
            delta = ops.activation_backward(
                self.activation, work["pre"], work["output"], delta
            )
        return self._affine_backward(arrays[0], grads, delta, work, ops, input_grad)

    def _affine_backward(self, coef, grads, delta, work, ops, input_grad):
        """Gradients of ``X @ coef + intercept`` from that of its output."""
        ops.dot(work["input"].T, delta, out=grads[0])
        ops.row_sum(delta, work["ones"], out=grads[1])
        if not input_grad:
            return None
        # With one output the product is an outer product, which
        # broadcasting computes several times faster than matmul.
        product = ops.multiply if delta.shape[1] == 1 else ops.matmul
        return product(delta, coef.T, out=work["grad_input"])

    def predict(self, arrays, X, out, ops):
        coef, intercept = arrays
        z = ops.dot(X, coef, out=out)
        z = ops.add(z, intercept, out=z)
        if self.activation is None:
            return z
        return ops.activate(self.activation, z, z if self.activation.inplace else None)


class ParametricDense(Dense):
    """`Dense` with a `~skprop.activations.Parametric` activation: after
    ``z = X @ coef + intercept``, ``a = z + mix * (f(z) - z)`` with one
    learned ``mix`` per unit (group "activation")."""

    def parameters(self):
        return [*super().parameters(), ("mix", (self.n_units,), "activation")]

    def buffers(self, input_grad=True):
        names = {"z": self.n_units, "f": self.n_units, "a": self.n_units}
        if input_grad:
            names["grad_input"] = self.n_inputs
        return names

    def initialize(self, arrays, rng):
        super().initialize(arrays[:2], rng)
        arrays[2][...] = 1.0

    def initialize_from_data(self, arrays, X, rng, n_points=5):
        super().initialize_from_data(arrays[:2], X, rng, n_points)

    def _blend(self, z, mix, f_in, out, ops):
        """``z + mix * (f(z) - z)`` into `out` (not `z`); ``f(z)`` computed
        from `f_in`, a copy of `z` that it may overwrite."""
        f = ops.activate(self.activation.base, f_in, f_in)
        out = ops.subtract(f, z, out=out)
        out = ops.multiply(out, mix, out=out)
        out = ops.add(out, z, out=out)
        return f, out

    def forward(self, arrays, X, work, ops, rng=None):
        coef, intercept, mix = arrays
        work["input"] = X
        z = ops.dot(X, coef, out=work["z"])
        z = ops.add(z, intercept, out=z)
        work["pre"] = z
        # The base activation may overwrite its input: give it a copy.
        f_in = ops.copy_into(z, work["f"])
        work["f_of_z"], a = self._blend(z, mix, f_in, work["a"], ops)
        return self._dropout(a, work, ops, rng)

    def backward(self, arrays, grads, grad_output, work, ops, input_grad=True):
        coef, _, mix = arrays
        delta = grad_output
        if work["mask"] is not None:
            delta = ops.multiply(delta, work["mask"], out=delta)
        z, f = work["pre"], work["f_of_z"]
        derivative = ops.derivative(self.activation.base, z, f)
        # d mix: the rows' sum of delta * (f - z).
        ops.column_dot(delta, f - z, out=grads[2])
        # da/dz = 1 - mix + mix * f'(z).
        delta = ops.multiply(delta, 1.0 - mix + mix * derivative, out=delta)
        ops.dot(work["input"].T, delta, out=grads[0])
        ops.row_sum(delta, work["ones"], out=grads[1])
        if not input_grad:
            return None
        return ops.matmul(delta, coef.T, out=work["grad_input"])

    def predict(self, arrays, X, out, ops):
        coef, intercept, mix = arrays
        z = ops.dot(X, coef, out=out)
        z = ops.add(z, intercept, out=z)
        blend = ops.activate(self.activation.base, ops.copy(z), None)
        blend = ops.subtract(blend, z, out=blend)
        blend = ops.multiply(blend, mix, out=blend)
        return ops.add(z, blend, out=z)


def dense_stack(layer_units, activations, dropout=None, init_factors=None):
    """Dense layers for `layer_units` (input and output sizes included).

    Parameters
    ----------
    layer_units : list of int
    activations : list of Activation
        One per hidden layer; the output layer has none.
    dropout : list of float or None, default=None
        One rate per hidden layer.
    init_factors : list of float or None, default=None
        One Glorot factor per layer, output layer included.

    Returns
    -------
    layers : list of Dense
    """
    n_layers = len(layer_units) - 1
    dropout = list(dropout or [0.0] * len(activations)) + [0.0]
    init_factors = init_factors or [6.0] * n_layers
    activations = list(activations) + [None]
    return [
        (ParametricDense if getattr(activations[i], "parametric", False) else Dense)(
            layer_units[i],
            layer_units[i + 1],
            activation=activations[i],
            dropout=dropout[i],
            init_factor=init_factors[i],
        )
        for i in range(n_layers)
    ]
