"""Ensembles in one network: TabM's "mini" form (Gorishniy et al., TabM,
ICLR 2025).

k members share every hidden layer. Each member has its own multiplicative
adapter on the input of the first hidden layer and its own output layer
(head); the objective is the mean of the members' losses
(`skprop.losses._MemberMean`) and the prediction the mean of their
predictions (`skprop.losses.MemberMeanLink`).

Rows stay rows: a layer's output for k members is laid out as column blocks,
member by member, so that a width h becomes ``(n, k * h)`` and member i's
block is columns ``i * h`` to ``(i + 1) * h``. A shared layer sees that as
``(n * k, h)`` rows (`ops.member_rows`), the heads as ``(k, n, h)``
(`ops.split_members`), both views of the same memory on NumPy. The
network's buffers, batches and prediction chunks need nothing else.
"""

from skprop._layers import Layer, dense_stack
from skprop._ops import NUMPY


class EnsembleInput(Layer):
    """Member i's copy of the input ``X * scale[i]``: ``(n, d)`` in,
    ``(n, k * d)`` out.

    Parameters
    ----------
    n_inputs : int
    n_members : int

    Notes
    -----
    The scales start at random signs, +1 or -1 per member and column,
    TabM's initialisation for inputs without embeddings: each member's
    input has exactly the plain network's scale (so the shared layer's
    Glorot initialisation stays right), and the members differ from the
    first step. Ones would start every member alike, leaving only the heads
    to tell them apart; ``N(0, 1)`` (TabM's choice behind embeddings) keeps
    the scale only on average and nearly silences some columns of some
    members.
    """

    def __init__(self, n_inputs, n_members):
        self.n_inputs = n_inputs
        self.n_members = n_members
        self.n_units = n_members * n_inputs

    @staticmethod
    def group():
        """The adapters' parameter group (`skprop._parts.parameter_groups`)."""
        # Not MLP's weights, so `alpha`'s L2 penalty leaves them alone; an
        # optimizer's decoupled weight decay applies, as TabM's AdamW
        # decays them.
        return dict(name="adapter", l2=False)

    def parameters(self):
        return [("scale", (self.n_members, self.n_inputs), "adapter")]

    def buffers(self, input_grad=True):
        names = {"z": self.n_units}
        if input_grad:
            names["grad_input"] = self.n_inputs
        return names

    def initialize(self, arrays, rng):
        signs = rng.randint(2, size=arrays[0].shape)
        arrays[0][...] = 2.0 * signs - 1.0

    def forward(self, arrays, X, work, ops, rng=None):
        X = ops.dense(X)
        work["input"] = X
        return self.predict(arrays, X, work["z"], ops)

    def backward(self, arrays, grads, grad_output, work, ops, input_grad=True):
        (scale,) = arrays
        delta = ops.split_members(grad_output, self.n_members)
        grad_input = None
        if input_grad:
            product = ops.multiply(delta, self._stacked(scale, ops))
            grad_input = ops.sum(product, axis=0, out=work["grad_input"])
        # d scale[i] = the rows' sum of delta[i] * X (delta is overwritten).
        product = ops.multiply(delta, work["input"], out=delta)
        ops.sum(product, axis=1, out=grads[0])
        return grad_input

    def predict(self, arrays, X, out, ops):
        X = ops.dense(X)
        scaled = ops.multiply(
            X,
            self._stacked(arrays[0], ops),
            out=ops.split_members(out, self.n_members),
        )
        return ops.join_members(scaled)

    def _stacked(self, scale, ops):
        """`scale` as ``(k, 1, d)``, to broadcast over the rows."""
        return ops.reshape(scale, (self.n_members, 1, self.n_inputs))


class SharedDense(Layer):
    """A dense layer whose weights every member shares: `layer` (a `Dense`
    or `ParametricDense` of one member's widths) applied to each member's
    block of columns, as rows ``(n * k, h)``.

    Its arrays are `layer`'s, of the plain network's shapes: the fitted
    ``coefs_`` and ``intercepts_`` keep MLP's meaning. Dropout draws one
    mask per member.

    Parameters
    ----------
    layer : Dense
    n_members : int
    """

    def __init__(self, layer, n_members):
        self.layer = layer
        self.n_members = n_members
        self.n_inputs = n_members * layer.n_inputs
        self.n_units = n_members * layer.n_units

    @property
    def dropout(self):
        return self.layer.dropout

    def parameters(self):
        return self.layer.parameters()

    def buffers(self, input_grad=True):
        names = self.layer.buffers(input_grad)
        return {name: self.n_members * cols for name, cols in names.items()}

    def initialize(self, arrays, rng):
        self.layer.initialize(arrays, rng)

    def initialize_from_data(self, arrays, X, rng):
        # Data initialisation runs on the host.
        self.layer.initialize_from_data(arrays, self._rows(X, NUMPY), rng)

    def forward(self, arrays, X, work, ops, rng=None):
        if "member_rows" not in work:
            work["member_rows"] = self._row_work(work, X, ops)
        inner = work["member_rows"]
        a = self.layer.forward(arrays, self._rows(X, ops), inner, ops, rng)
        return ops.reshape(a, (X.shape[0], self.n_units))

    def _row_work(self, work, X, ops):
        """`layer`'s work: these buffers seen as rows, and the ones its row
        sums take (kept with the buffers, which last for batches of one
        size)."""
        inner = {
            name: self._rows(buffer, ops)
            for name, buffer in work.items()
            if name != "ones"
        }
        inner["ones"] = ops.row_ones(X.shape[0] * self.n_members, X.dtype)
        return inner

    def backward(self, arrays, grads, grad_output, work, ops, input_grad=True):
        delta = self._rows(grad_output, ops)
        grad = self.layer.backward(
            arrays, grads, delta, work["member_rows"], ops, input_grad
        )
        if grad is None:
            return None
        return ops.reshape(grad, (grad_output.shape[0], self.n_inputs))

    def predict(self, arrays, X, out, ops):
        a = self.layer.predict(arrays, self._rows(X, ops), self._rows(out, ops), ops)
        return ops.reshape(a, (X.shape[0], self.n_units))

    def _rows(self, a, ops):
        """`a`, ``(n, k * h)``, as rows ``(n * k, h)``."""
        return ops.member_rows(a, self.n_members)


class MemberHeads(Layer):
    """Each member's own output layer: ``(n, k * h)`` in, ``(n, k * m)``
    out, member i's block ``X_i @ coef[i] + intercept[i]``.

    Parameters
    ----------
    head : Dense
        The plain network's output layer: widths and Glorot factor, which
        every member's head is drawn with.
    n_members : int
    """

    def __init__(self, head, n_members):
        self.head = head
        self.n_members = n_members
        self.n_inputs = n_members * head.n_inputs
        self.n_units = n_members * head.n_units

    def parameters(self):
        k, h, m = self.n_members, self.head.n_inputs, self.head.n_units
        return [("coef", (k, h, m), "weights"), ("intercept", (k, m), "biases")]

    def buffers(self, input_grad=True):
        names = {"z": self.n_units}
        if input_grad:
            names["grad_input"] = self.n_inputs
        return names

    def initialize(self, arrays, rng):
        self.head.initialize(arrays, rng)

    def initialize_from_data(self, arrays, X, rng):
        """The plain output layer's data initialisation, member by member on
        its block of `X`."""
        coef, intercept = arrays
        width = self.head.n_inputs
        for i in range(self.n_members):
            block = X[:, i * width : (i + 1) * width]
            self.head.initialize_from_data([coef[i], intercept[i]], block, rng)

    def forward(self, arrays, X, work, ops, rng=None):
        work["input"] = X
        return self.predict(arrays, X, work["z"], ops)

    def backward(self, arrays, grads, grad_output, work, ops, input_grad=True):
        k = self.n_members
        coef = arrays[0]
        delta = ops.split_members(grad_output, k)
        X = ops.split_members(work["input"], k)
        ops.matmul(ops.permute_dims(X, (0, 2, 1)), delta, out=grads[0])
        ops.sum(delta, axis=1, out=grads[1])
        if not input_grad:
            return None
        grad = ops.matmul(
            delta,
            ops.permute_dims(coef, (0, 2, 1)),
            out=ops.split_members(work["grad_input"], k),
        )
        return ops.join_members(grad)

    def predict(self, arrays, X, out, ops):
        coef, intercept = arrays
        k = self.n_members
        z = ops.matmul(ops.split_members(X, k), coef, out=ops.split_members(out, k))
        z = ops.add(z, ops.reshape(intercept, (k, 1, self.head.n_units)), out=z)
        return ops.join_members(z)


def member_stack(
    layer_units, activations, dropout=None, init_factors=None, n_members=1
):
    """`skprop._layers.dense_stack`'s layers for one member, or for
    `n_members` members the ensemble's: `EnsembleInput`, a `SharedDense`
    for each hidden layer and `MemberHeads`.

    Parameters
    ----------
    layer_units : list of int
        One member's widths, input and output included.
    activations, dropout, init_factors : list
        As in `dense_stack`.
    n_members : int, default=1

    Returns
    -------
    layers : list of Layer
    """
    layers = dense_stack(layer_units, activations, dropout, init_factors)
    if n_members == 1:
        return layers
    return [
        EnsembleInput(layer_units[0], n_members),
        *[SharedDense(layer, n_members) for layer in layers[:-1]],
        MemberHeads(layers[-1], n_members),
    ]
