"""Optimizers: how a gradient becomes a parameter step.

Every parameter of the network lives in one flat vector, so an optimizer
works on whole vectors: one vectorized update per minibatch.
"""

import math
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval

from skprop._component import Component
from skprop._ops import blocks


class Optimizer(Component):
    """Base class of optimizers.

    An optimizer holds hyper-parameters only. Anything that changes during
    training (moments, step counts) is the *state*: `init` creates it and
    `update` returns it, and the estimator keeps it between calls, so that
    ``warm_start`` and ``partial_fit`` continue where they stopped.

    Attributes
    ----------
    stochastic : bool
        Whether the optimizer takes minibatch steps (all but L-BFGS).
    decoupled_weight_decay : bool
        Whether `update` also takes ``decay``: the slices of the flat vector
        its weight decay applies to (None, the default, for all of it). The
        trainer passes it when a parameter group skips weight decay.
    needs_matrices : bool
        Whether `update` (and `update_xp`) also take ``matrices``: the hidden
        weight matrices of the network, a list of ``(slice, (rows, cols))``
        such that ``params[slice].reshape(rows, cols)`` is a layer's
        coefficient matrix (row-major, one row per input of the layer, one
        column per unit), for optimizers that step a matrix as a whole
        (`Muon`). Every parameter outside them is a vector to such an
        optimizer.
    array_api_support : bool
        Whether the optimizer also implements `init_xp` and `update_xp`,
        the same for arrays of an Array API namespace ``xp`` (torch, CuPy,
        array-api-strict), which training on such arrays needs.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop.optimizers import Optimizer
    >>> class SignDescent(Optimizer):
    ...     def init(self, params):
    ...         return {}
    ...     def update(self, grad, state, params, lr):
    ...         return -lr * np.sign(grad), state
    >>> step, state = SignDescent().update(np.array([0.5, -2.0]), {}, None, 0.1)
    >>> step
    array([-0.1,  0.1])
    """

    stochastic = True
    decoupled_weight_decay = False
    needs_matrices = False
    array_api_support = False

    def init(self, params):
        """Initial state for a flat parameter vector.

        Parameters
        ----------
        params : ndarray of shape (n_params,)

        Returns
        -------
        state : dict
            Plain NumPy arrays and numbers.
        """
        raise NotImplementedError

    def update(self, grad, state, params, lr):
        """One step.

        Parameters
        ----------
        grad : ndarray of shape (n_params,)
            Gradient of the minibatch objective; may be overwritten.
        state : dict
            As returned by `init` or the previous `update`; may be updated in
            place.
        params : ndarray of shape (n_params,)
            Current parameters (read only).
        lr : float
            Learning rate of this epoch, from the schedule.

        Returns
        -------
        step : ndarray of shape (n_params,)
            Added to the parameters.
        state : dict
        """
        raise NotImplementedError

    def init_xp(self, params, xp):
        """`init` for a flat vector of the Array API namespace `xp`: the
        state's arrays are of that namespace, on the device of `params`."""
        raise NotImplementedError

    def update_xp(self, grad, state, params, lr, xp):
        """`update` for arrays of the Array API namespace `xp`; the step and
        the state's arrays may be new arrays."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, as scikit-learn's MLP.

    ``velocity = momentum * velocity - lr * grad``; the step is the velocity,
    or ``momentum * velocity - lr * grad`` with Nesterov's momentum.

    Parameters
    ----------
    momentum : float, default=0.9
        In [0, 1].
    nesterov : bool, default=True
        Use Nesterov's momentum.

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> from skprop.optimizers import SGD
    >>> model = BackpropClassifier(optimizer=SGD(momentum=0.5), learning_rate=0.01)
    """

    array_api_support = True

    _parameter_constraints = {
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterov": ["boolean"],
    }

    def __init__(self, momentum=0.9, nesterov=True):
        self.momentum = momentum
        self.nesterov = nesterov

    def init(self, params):
        return {"velocity": np.zeros_like(params)}

    def update(self, grad, state, params, lr):
        velocity = state["velocity"]
        grad *= -lr
        velocity *= self.momentum
        velocity += grad
        if not self.nesterov:
            # The step is the velocity; `grad` is free to hold a copy of it.
            np.copyto(grad, velocity)
            return grad, state
        # Block by block, so that the temporary stays one block long.
        for block in blocks(grad.size):
            grad[block] += self.momentum * velocity[block]
        return grad, state

    def init_xp(self, params, xp):
        return {"velocity": xp.zeros_like(params)}

    def update_xp(self, grad, state, params, lr, xp):
        scaled = -lr * grad
        velocity = self.momentum * state["velocity"] + scaled
        step = self.momentum * velocity + scaled if self.nesterov else velocity
        return step, {"velocity": velocity}


class Adam(Optimizer):
    """Adam, in scikit-learn MLP's form.

    ``m`` and ``v`` are moving averages of the gradient and its square; the
    step is ``-lr_t * m / (sqrt(v) + epsilon)`` with the bias-corrected rate
    ``lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``.

    Parameters
    ----------
    beta_1 : float, default=0.9
        Decay of the first moment, in [0, 1).
    beta_2 : float, default=0.999
        Decay of the second moment, in [0, 1).
    epsilon : float, default=1e-8
        Added to the denominator for stability.

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> from skprop.optimizers import Adam
    >>> model = BackpropClassifier(optimizer=Adam(beta_2=0.99))
    """

    array_api_support = True

    _parameter_constraints = {
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def init(self, params):
        return {"t": 0, "m": np.zeros_like(params), "v": np.zeros_like(params)}

    def update(self, grad, state, params, lr):
        return self._update(grad, state, params, lr, self._step)

    def _update(self, grad, state, params, lr, block_step, pieces=None):
        """Adam's update of the slices `pieces` of the flat vector (None: all
        of it), `block_step` computing the step of each block."""
        t = state["t"] + 1
        lr_t = lr * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        m, v = state["m"], state["v"]
        # One block of scratch space: no temporary as large as the parameters.
        scratch = np.empty_like(grad[: blocks(grad.size)[0].stop])
        for piece in [slice(0, grad.size)] if pieces is None else pieces:
            for block in blocks(piece.stop, piece.start):
                work = scratch[: grad[block].size]
                block_step(
                    grad[block], m[block], v[block], lr_t, params[block], lr, work
                )
        state["t"] = t
        return grad, state

    def _step(self, grad, m, v, lr_t, params, lr, work):
        """Update the moments in place and overwrite `grad` with the step
        (`params` and `lr` are there for subclasses that also decay; `work`
        is scratch space of grad's size)."""
        # The moments are updated as MLP writes them, rounding for rounding:
        # a form without `work`, beta * (avg - x) + x, loses precision in
        # float32 when x is much larger than avg, as g**2 is early on.
        np.multiply(grad, 1.0 - self.beta_1, out=work)
        m *= self.beta_1
        m += work
        np.multiply(grad, grad, out=work)
        work *= 1.0 - self.beta_2
        v *= self.beta_2
        v += work
        # From here on `grad` is scratch space for the step.
        denominator = np.sqrt(v, out=grad)
        denominator += self.epsilon
        np.multiply(m, -lr_t, out=work)
        np.divide(work, denominator, out=grad)

    def init_xp(self, params, xp):
        return {"t": 0, "m": xp.zeros_like(params), "v": xp.zeros_like(params)}

    def update_xp(self, grad, state, params, lr, xp):
        t = state["t"] + 1
        lr_t = lr * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        # Rounding for rounding as `_step` (and MLP) computes it.
        m = state["m"] * self.beta_1 + grad * (1.0 - self.beta_1)
        v = state["v"] * self.beta_2 + (grad * grad) * (1.0 - self.beta_2)
        step = (m * -lr_t) / (xp.sqrt(v) + self.epsilon)
        return step, {"t": t, "m": m, "v": v}


class AdamW(Adam):
    """Adam with decoupled weight decay: ``step -= lr * weight_decay * params``.

    Parameters
    ----------
    beta_1 : float, default=0.9
    beta_2 : float, default=0.999
    epsilon : float, default=1e-8
    weight_decay : float, default=0.01
        Decay applied apart from the gradient, to every parameter group that
        takes weight decay (all of them unless a group says otherwise).

    Examples
    --------
    >>> from skprop import BackpropRegressor
    >>> from skprop.optimizers import AdamW
    >>> model = BackpropRegressor(optimizer=AdamW(weight_decay=0.05))
    """

    _parameter_constraints = {
        **Adam._parameter_constraints,
        "weight_decay": [Interval(Real, 0, None, closed="left")],
    }

    decoupled_weight_decay = True

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8, weight_decay=0.01):
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        self.weight_decay = weight_decay

    def update(self, grad, state, params, lr, decay=None):
        if decay is None:
            return self._update(grad, state, params, lr, self._decayed_step)
        step, state = self._update(grad, state, params, lr, self._step)
        for piece in decay:
            for block in blocks(piece.stop, piece.start):
                step[block] -= (lr * self.weight_decay) * params[block]
        return step, state

    def _decayed_step(self, grad, m, v, lr_t, params, lr, work):
        """Adam's step of a block, then its decay."""
        # Within Adam's block loop, while the block of the step is in cache.
        self._step(grad, m, v, lr_t, params, lr, work)
        grad -= (lr * self.weight_decay) * params

    def update_xp(self, grad, state, params, lr, xp, decay=None):
        step, state = super().update_xp(grad, state, params, lr, xp)
        factor = lr * self.weight_decay
        if decay is None:
            return step - factor * params, state
        for piece in decay:
            step[piece] = step[piece] - factor * params[piece]
        return step, state


class Muon(Optimizer):
    """Muon: momentum orthogonalised by Newton-Schulz, for weight matrices.

    Each weight matrix ``W`` of the network takes a step along the nearest
    semi-orthogonal matrix to its (Nesterov) momentum, so that every
    direction of the momentum moves by about the same amount; every other
    parameter (intercepts, input layers' scales and embeddings, activation
    mixes) takes AdamW's step with the ``adam_*`` settings below. This is
    the split of the reference implementations (``MuonWithAuxAdam``), with
    one learning rate: the estimator's ``learning_rate`` for the matrices,
    times `adam_lr_ratio` for the rest.

    The matrices come from the engine through ``update(...,
    matrices=...)``; without them (``matrices=None``) every parameter takes
    the AdamW step, so Muon is then exactly `AdamW` at the learning rate
    ``lr * adam_lr_ratio``.

    Parameters
    ----------
    momentum : float, default=0.95
        Decay of the momentum of each matrix's gradient, in [0, 1).
    nesterov : bool, default=True
        Orthogonalise Nesterov's look-ahead ``momentum * M + (1 - momentum)
        * G`` rather than the momentum ``M`` itself.
    ns_steps : int, default=5
        Newton-Schulz iterations, at least 1.
    weight_decay : float, default=0.01
        Decoupled weight decay: each step also takes ``lr * weight_decay *
        W`` from a matrix and ``lr * adam_lr_ratio * weight_decay * p``
        from any other parameter, for every parameter group that takes
        weight decay (all of them unless a group says otherwise).
    adam_lr_ratio : float, default=0.1
        Learning rate of the AdamW branch, as a multiple of the learning
        rate; positive.
    adam_beta_1 : float, default=0.9
        Decay of AdamW's first moment, in [0, 1).
    adam_beta_2 : float, default=0.999
        Decay of AdamW's second moment, in [0, 1).
    adam_epsilon : float, default=1e-8
        Added to AdamW's denominator; positive.

    Attributes
    ----------
    needs_matrices : bool
        True: the engine passes the hidden weight matrices as ``matrices``.

    See Also
    --------
    AdamW : The step of every parameter outside the matrices.

    Notes
    -----
    For a weight matrix ``W`` of shape ``(rows, cols) = (n_inputs,
    n_units)`` (MLP's layout, ``X @ W``) with gradient ``G``, momentum
    ``mu`` and weight decay ``lambda``, one step is::

        M <- mu * M + (1 - mu) * G
        D  = mu * M + (1 - mu) * G        (D = M without Nesterov)
        O  = NS(D)                        (about U V^T for D = U S V^T)
        W <- W - lr * sqrt(max(1, cols / rows)) * O - lr * lambda * W

    ``NS`` is the quintic Newton-Schulz iteration of Jordan et al. (2024):
    ``X = D / (||D||_F + 1e-7)``, transposed when ``rows > cols`` so that
    the Gram matrix ``A = X X^T`` is the smaller one, then `ns_steps` times
    ``X <- a X + (b A + c A^2) X`` with ``A = X X^T`` and ``(a, b, c) =
    (3.4445, -4.7750, 2.0315)``. The iteration is an odd polynomial in
    ``D``: it keeps the singular vectors and maps every singular value
    above about 1e-3 of ``||D||_F`` into about [0.68, 1.14], not exactly
    to 1 (the coefficients trade that for a steep slope at zero, so five
    steps suffice). It runs in the parameters' dtype.

    The shape factor ``sqrt(max(1, fan_out / fan_in))`` is Keller Jordan's,
    written ``max(1, rows / cols) ** 0.5`` there for PyTorch's ``(out, in)``
    weights and ``sqrt(max(1, cols / rows))`` here. With it the root mean
    square of ``O``'s step is ``lr / sqrt(fan_in)`` whatever the matrix's
    shape. It is preferred to Liu et al.'s ``0.2 * sqrt(max(rows, cols))``
    (which matches AdamW's update size, so that AdamW's learning rate
    carries over) because the tabular benchmark below used Keller Jordan's
    implementation: its learning-rate ranges apply as they are. Muon's
    learning rate is therefore larger than Adam's: that benchmark tuned it
    in [1e-4, 0.03] (the AdamW branch's in [3e-5, 1e-3]: the default
    `adam_lr_ratio` is the ratio of the ranges' geometric centres), with
    AdamW's betas and epsilon as defaults here. The momentum form (an
    average, as ``torch.lerp``) and ``momentum=0.95`` follow the reference
    implementation.

    Muon is meant for hidden weight matrices: the reference implementations
    and the benchmark leave the output layer's matrix, input embeddings and
    matrices with a dimension of 1 to AdamW.

    References
    ----------
    K. Jordan, Y. Jin, V. Boza, J. You, F. Cesista, L. Newhouse and J.
    Bernstein (2024). "Muon: An optimizer for hidden layers in neural
    networks". https://kellerjordan.github.io/posts/muon/

    J. Liu, J. Su, X. Yao et al. (2025). "Muon is scalable for LLM
    training". arXiv:2502.16982.

    Y. Gorishniy, I. Rubachev, D. Feoktistov and A. Babenko (2026).
    "Benchmarking optimizers for MLPs in tabular deep learning".
    arXiv:2604.15297. Over 15 optimizers and 17 data sets, Muon beats
    AdamW on MLPs for tabular data.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop import BackpropClassifier
    >>> from skprop.optimizers import Muon
    >>> model = BackpropClassifier(optimizer=Muon(), learning_rate=0.02)

    One step of a 2 x 2 matrix (the first four parameters) and two
    intercepts: the matrix moves by about ``lr`` along each singular
    direction of its gradient, the small one as much as the large one, the
    intercepts by ``lr * adam_lr_ratio``.

    >>> muon = Muon(weight_decay=0.0)
    >>> params = np.zeros(6)
    >>> grad = np.array([3.0, 0.0, 0.0, 0.1, 1.0, -1.0])
    >>> step, state = muon.update(
    ...     grad, muon.init(params), params, 0.1, matrices=[(slice(0, 4), (2, 2))]
    ... )
    >>> np.round(step, 3)
    array([-0.07 , -0.   , -0.   , -0.113, -0.01 ,  0.01 ])
    """

    _parameter_constraints = {
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterov": ["boolean"],
        "ns_steps": [Interval(Integral, 1, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "adam_lr_ratio": [Interval(Real, 0, None, closed="neither")],
        "adam_beta_1": [Interval(Real, 0, 1, closed="left")],
        "adam_beta_2": [Interval(Real, 0, 1, closed="left")],
        "adam_epsilon": [Interval(Real, 0, None, closed="neither")],
    }

    decoupled_weight_decay = True
    needs_matrices = True
    array_api_support = True

    def __init__(
        self,
        momentum=0.95,
        nesterov=True,
        ns_steps=5,
        weight_decay=0.01,
        adam_lr_ratio=0.1,
        adam_beta_1=0.9,
        adam_beta_2=0.999,
        adam_epsilon=1e-8,
    ):
        self.momentum = momentum
        self.nesterov = nesterov
        self.ns_steps = ns_steps
        self.weight_decay = weight_decay
        self.adam_lr_ratio = adam_lr_ratio
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.adam_epsilon = adam_epsilon

    def init(self, params):
        return {
            "t": 0,
            "momentum": np.zeros_like(params),
            "m": np.zeros_like(params),
            "v": np.zeros_like(params),
        }

    def update(self, grad, state, params, lr, matrices=None, decay=None):
        momentum = state["momentum"]
        for piece, shape in matrices or []:
            momentum[piece], grad[piece] = self._matrix_step(
                grad[piece], momentum[piece], lr, shape, np
            )
        adam_lr = lr * self.adam_lr_ratio
        adam = self._adam()
        vectors = self._vector_pieces(grad.size, matrices)
        step, state = adam._update(grad, state, params, adam_lr, adam._step, vectors)
        for piece, rate in self._decay_rates(grad.size, matrices, decay, lr, adam_lr):
            for block in blocks(piece.stop, piece.start):
                step[block] -= rate * params[block]
        return step, state

    def init_xp(self, params, xp):
        return {
            "t": 0,
            "momentum": xp.zeros_like(params),
            "m": xp.zeros_like(params),
            "v": xp.zeros_like(params),
        }

    def update_xp(self, grad, state, params, lr, xp, matrices=None, decay=None):
        adam_lr = lr * self.adam_lr_ratio
        step, adam_state = self._adam().update_xp(grad, state, params, adam_lr, xp)
        m, v = adam_state["m"], adam_state["v"]
        momentum = xp.asarray(state["momentum"], copy=True)
        for piece, shape in matrices or []:
            # A matrix's AdamW moments stay as they were, as in `update`.
            m[piece], v[piece] = state["m"][piece], state["v"][piece]
            momentum[piece], step[piece] = self._matrix_step(
                grad[piece], state["momentum"][piece], lr, shape, xp
            )
        size = grad.shape[0]
        for piece, rate in self._decay_rates(size, matrices, decay, lr, adam_lr):
            step[piece] = step[piece] - rate * params[piece]
        return step, {"t": adam_state["t"], "momentum": momentum, "m": m, "v": v}

    def _adam(self):
        """The Adam of the parameters outside the matrices (decay apart)."""
        return Adam(
            beta_1=self.adam_beta_1,
            beta_2=self.adam_beta_2,
            epsilon=self.adam_epsilon,
        )

    def _matrix_step(self, grad, momentum, lr, shape, xp):
        """The new momentum and the step of one matrix, all flat (row-major)."""
        rows, cols = shape
        beta = self.momentum
        momentum = momentum * beta + grad * (1.0 - beta)
        # Nesterov's look-ahead as the reference writes it, grad.lerp(M, beta).
        direction = momentum * beta + grad * (1.0 - beta) if self.nesterov else momentum
        orthogonal = self._orthogonalize(xp.reshape(direction, (rows, cols)), xp)
        # Keller Jordan's sqrt(max(1, fan_out / fan_in)); rows are inputs here.
        rate = lr * max(1.0, cols / rows) ** 0.5
        return momentum, xp.reshape(orthogonal, (-1,)) * -rate

    def _orthogonalize(self, matrix, xp):
        """`ns_steps` quintic Newton-Schulz iterations towards ``U V^T``."""
        # Jordan et al.'s coefficients: the steepest slope at zero that still
        # keeps every singular value in about [0.68, 1.14].
        a, b, c = 3.4445, -4.7750, 2.0315
        transposed = matrix.shape[0] > matrix.shape[1]
        X = matrix.T if transposed else matrix
        # A spectral norm of at most 1, where the iteration converges.
        X = X / (xp.sqrt(xp.sum(X * X)) + 1e-7)
        for _ in range(self.ns_steps):
            A = xp.matmul(X, X.T)
            B = b * A + c * xp.matmul(A, A)
            X = a * X + xp.matmul(B, X)
        return X.T if transposed else X

    @staticmethod
    def _vector_pieces(size, matrices):
        """The slices of a flat vector of `size` outside `matrices`, in order."""
        pieces, start = [], 0
        for piece, _ in sorted(matrices or [], key=lambda matrix: matrix[0].start):
            if start < piece.start:
                pieces.append(slice(start, piece.start))
            start = piece.stop
        if start < size:
            pieces.append(slice(start, size))
        return pieces

    def _decay_rates(self, size, matrices, decay, lr, adam_lr):
        """``(slice, rate)``: each decayed stretch of the flat vector and its
        decay per step, ``weight_decay`` times its branch's learning rate."""
        if self.weight_decay == 0:
            return []
        branches = [(piece, lr) for piece, _ in matrices or []]
        branches += [(piece, adam_lr) for piece in self._vector_pieces(size, matrices)]
        rates = []
        for piece in [slice(0, size)] if decay is None else decay:
            for branch, branch_lr in branches:
                start = max(piece.start, branch.start)
                stop = min(piece.stop, branch.stop)
                if start < stop:
                    rates.append((slice(start, stop), branch_lr * self.weight_decay))
        return rates


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a moving root mean square of itself.

    Parameters
    ----------
    rho : float, default=0.9
        Decay of the squared-gradient average, in [0, 1).
    epsilon : float, default=1e-8

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> model = BackpropClassifier(optimizer="rmsprop")
    """

    array_api_support = True

    _parameter_constraints = {
        "rho": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, rho=0.9, epsilon=1e-8):
        self.rho = rho
        self.epsilon = epsilon

    def init(self, params):
        return {"v": np.zeros_like(params)}

    def update(self, grad, state, params, lr):
        for block in blocks(grad.size):
            self._step(grad[block], state["v"][block], lr)
        return grad, state

    def _step(self, grad, v, lr):
        """Update `v` in place and overwrite `grad` with the step."""
        v *= self.rho
        v += (1.0 - self.rho) * grad * grad
        denominator = np.sqrt(v)
        denominator += self.epsilon
        grad /= denominator
        grad *= -lr

    def init_xp(self, params, xp):
        return {"v": xp.zeros_like(params)}

    def update_xp(self, grad, state, params, lr, xp):
        v = state["v"] * self.rho + (1.0 - self.rho) * grad * grad
        step = grad / (xp.sqrt(v) + self.epsilon) * -lr
        return step, {"v": v}


class Adagrad(Optimizer):
    """Adagrad: divide the gradient by the root of all squared gradients so far.

    Parameters
    ----------
    epsilon : float, default=1e-10

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> model = BackpropClassifier(optimizer="adagrad", learning_rate=0.01)
    """

    array_api_support = True

    _parameter_constraints = {"epsilon": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, epsilon=1e-10):
        self.epsilon = epsilon

    def init(self, params):
        return {"sum_squares": np.zeros_like(params)}

    def update(self, grad, state, params, lr):
        for block in blocks(grad.size):
            self._step(grad[block], state["sum_squares"][block], lr)
        return grad, state

    def _step(self, grad, sum_squares, lr):
        """Update `sum_squares` in place and overwrite `grad` with the step."""
        sum_squares += grad * grad
        denominator = np.sqrt(sum_squares)
        denominator += self.epsilon
        grad /= denominator
        grad *= -lr

    def init_xp(self, params, xp):
        return {"sum_squares": xp.zeros_like(params)}

    def update_xp(self, grad, state, params, lr, xp):
        sum_squares = state["sum_squares"] + grad * grad
        step = grad / (xp.sqrt(sum_squares) + self.epsilon) * -lr
        return step, {"sum_squares": sum_squares}


class LBFGS(Optimizer):
    """Full-batch L-BFGS (scipy's L-BFGS-B) on the flat parameter vector.

    ``max_iter`` of the estimator bounds the iterations, `max_fun` the
    objective evaluations; the estimator's ``tol`` is the gradient tolerance.
    Good for small data sets. No minibatches, so no ``partial_fit``.

    Parameters
    ----------
    max_fun : int, default=15000
        Maximum number of objective evaluations.

    Examples
    --------
    >>> from skprop import BackpropClassifier
    >>> from skprop.optimizers import LBFGS
    >>> model = BackpropClassifier(optimizer=LBFGS(max_fun=5000))
    """

    stochastic = False
    # SciPy steps on a NumPy copy of the parameters; the objective and its
    # gradient are computed where the data are.
    array_api_support = True
    _parameter_constraints = {"max_fun": [Interval(Integral, 1, None, closed="left")]}

    def __init__(self, max_fun=15000):
        self.max_fun = max_fun

    def minimize(self, objective, x0, callback, max_iter, tol):
        """Minimise a full-batch objective from `x0` with SciPy's L-BFGS-B.

        Parameters
        ----------
        objective : callable
            ``objective(x) -> (value, gradient)`` of a float64 vector.
        x0 : ndarray of shape (n_params,)
            Starting point, float64.
        callback : callable
            ``callback(intermediate_result)`` after each iteration; raising
            StopIteration stops the minimisation.
        max_iter : int
            Largest number of iterations.
        tol : float
            Gradient tolerance.

        Returns
        -------
        x : ndarray of shape (n_params,)
        value : float
        n_iter : int
            Iterations taken, at most `max_iter`.
        """
        result = scipy.optimize.minimize(
            objective,
            x0,
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options={"maxiter": max_iter, "maxfun": self.max_fun, "gtol": tol},
        )
        n_iter = min(int(result.nit), max_iter)
        if result.status == 1:
            warnings.warn(
                f"lbfgs failed to converge after {n_iter} iteration(s) "
                f"({result.message}). Increase the number of iterations to "
                f"improve the convergence (max_iter={max_iter}), or "
                "LBFGS(max_fun=...), or scale the data.",
                ConvergenceWarning,
            )
        return result.x, float(result.fun), n_iter


_REGISTRY = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "muon": Muon,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
    "lbfgs": LBFGS,
}
