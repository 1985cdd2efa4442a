"""Optimizers: how a gradient becomes a parameter step.

Every parameter of the network lives in one flat vector, so an optimizer
works on whole vectors: one vectorized update per minibatch.
"""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from skprop._component import Component
from skprop._numeric import blocks


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

    def _update(self, grad, state, params, lr, block_step):
        """Adam's update, `block_step` computing the step of each block."""
        t = state["t"] + 1
        lr_t = lr * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        m, v = state["m"], state["v"]
        # One block of scratch space: no temporary as large as the parameters.
        scratch = np.empty_like(grad[: blocks(grad.size)[0].stop])
        for block in blocks(grad.size):
            work = scratch[: grad[block].size]
            block_step(grad[block], m[block], v[block], lr_t, params[block], lr, work)
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


_REGISTRY = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
    "lbfgs": LBFGS,
}
