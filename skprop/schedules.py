"""Learning-rate schedules: the step size of each epoch.

A schedule works with every optimizer (scikit-learn's MLP applies its
schedules to SGD only).
"""

import math
from numbers import Integral, Real

from sklearn.utils._param_validation import Interval

from skprop._component import Component


class Schedule(Component):
    """Base class of learning-rate schedules.

    `rate` gives the learning rate of the next epoch from the epochs and
    samples seen so far; `plateau` is called when the training loss (or the
    validation score) stops improving, and decides whether to stop. State,
    if any, is returned, never kept on the object.

    Parameters
    ----------
    learning_rate_init : float, default=0.001
        Learning rate of the first epoch.

    Examples
    --------
    >>> from skprop.schedules import Schedule
    >>> class Halving(Schedule):
    ...     def rate(self, state, epoch, t):
    ...         return self.learning_rate_init * 0.5**epoch
    >>> Halving(0.1).rate({}, epoch=2, t=0)
    0.025
    """

    _parameter_constraints = {
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, learning_rate_init=0.001):
        self.learning_rate_init = learning_rate_init

    def init(self):
        """Initial state (a dict of plain numbers)."""
        return {}

    def rate(self, state, epoch, t):
        """Learning rate of the next epoch.

        Parameters
        ----------
        state : dict
        epoch : int
            Epochs completed so far.
        t : int
            Training samples seen so far (scikit-learn's ``t_``).

        Returns
        -------
        lr : float
        """
        raise NotImplementedError

    def plateau(self, state):
        """React to ``n_iter_no_change`` epochs without improvement.

        Returns
        -------
        stop : bool
            Whether training should stop (True unless overridden).
        state : dict
        """
        return True, state


class Constant(Schedule):
    """The same learning rate every epoch.

    Parameters
    ----------
    learning_rate_init : float, default=0.001

    Examples
    --------
    >>> from skprop.schedules import Constant
    >>> Constant(0.01).rate({}, epoch=5, t=1000)
    0.01
    """

    def rate(self, state, epoch, t):
        return float(self.learning_rate_init)


class InvScaling(Schedule):
    """``learning_rate_init / (t + 1) ** power_t``, `t` the samples seen, as
    MLP's ``learning_rate="invscaling"``.

    Parameters
    ----------
    learning_rate_init : float, default=0.001
    power_t : float, default=0.5

    Examples
    --------
    >>> from skprop.schedules import InvScaling
    >>> InvScaling(1.0, power_t=0.5).rate({}, epoch=1, t=3)
    0.5
    """

    _parameter_constraints = {
        **Schedule._parameter_constraints,
        "power_t": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, learning_rate_init=0.001, power_t=0.5):
        super().__init__(learning_rate_init)
        self.power_t = power_t

    def rate(self, state, epoch, t):
        return float(self.learning_rate_init / (t + 1) ** self.power_t)


class Adaptive(Schedule):
    """Constant until the loss plateaus, then divided by 5, as MLP's
    ``learning_rate="adaptive"``; training stops once it would drop below
    1e-6.

    Parameters
    ----------
    learning_rate_init : float, default=0.001

    Examples
    --------
    >>> from skprop.schedules import Adaptive
    >>> schedule = Adaptive(0.01)
    >>> stop, state = schedule.plateau(schedule.init())
    >>> stop, schedule.rate(state, epoch=3, t=0)
    (False, 0.002)
    """

    def init(self):
        return {"lr": float(self.learning_rate_init)}

    def rate(self, state, epoch, t):
        return state.get("lr", float(self.learning_rate_init))

    def plateau(self, state):
        lr = state.get("lr", float(self.learning_rate_init))
        if lr <= 1e-6:
            return True, state
        return False, {**state, "lr": lr / 5.0}


class StepDecay(Schedule):
    """Multiply the rate by `gamma` every `step_size` epochs.

    Parameters
    ----------
    learning_rate_init : float, default=0.001
    step_size : int, default=10
    gamma : float, default=0.1

    Examples
    --------
    >>> from skprop.schedules import StepDecay
    >>> StepDecay(1.0, step_size=10, gamma=0.5).rate({}, epoch=25, t=0)
    0.25
    """

    _parameter_constraints = {
        **Schedule._parameter_constraints,
        "step_size": [Interval(Integral, 1, None, closed="left")],
        "gamma": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, learning_rate_init=0.001, step_size=10, gamma=0.1):
        super().__init__(learning_rate_init)
        self.step_size = step_size
        self.gamma = gamma

    def rate(self, state, epoch, t):
        return float(self.learning_rate_init * self.gamma ** (epoch // self.step_size))


class Cosine(Schedule):
    """Cosine annealing from `learning_rate_init` to `eta_min` over `max_iter`
    epochs, then `eta_min`.

    Parameters
    ----------
    learning_rate_init : float, default=0.001
    max_iter : int, default=200
        Epochs of the half cosine period.
    eta_min : float, default=0.0

    Examples
    --------
    >>> from skprop.schedules import Cosine
    >>> Cosine(1.0, max_iter=10).rate({}, epoch=5, t=0)
    0.5
    """

    _parameter_constraints = {
        **Schedule._parameter_constraints,
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "eta_min": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, learning_rate_init=0.001, max_iter=200, eta_min=0.0):
        super().__init__(learning_rate_init)
        self.max_iter = max_iter
        self.eta_min = eta_min

    def rate(self, state, epoch, t):
        progress = min(epoch, self.max_iter) / self.max_iter
        cosine = 0.5 * (1.0 + math.cos(math.pi * progress))
        return float(self.eta_min + (self.learning_rate_init - self.eta_min) * cosine)


class CosLog(Schedule):
    """RealMLP's "coslog" schedule: `n_cycles` cosine cycles, each shorter than
    the last, ``lr * 0.5 * (1 - cos(2 pi log2(1 + (2**n_cycles - 1) p)))``.

    ``p`` is the fraction of the `max_iter` epochs done, taken at the middle
    of each epoch (a rate is per epoch here, and the formula is 0 at p = 0).
    With ``n_cycles=4`` this is RealMLP-TD's "coslog4" (Holzmüller et al.,
    2024).

    Parameters
    ----------
    learning_rate_init : float, default=0.001
        Peak learning rate.
    max_iter : int, default=200
        Epochs the cycles span; later epochs repeat the last rate.
    n_cycles : int, default=4

    Examples
    --------
    >>> from skprop.schedules import CosLog
    >>> schedule = CosLog(1.0, max_iter=4, n_cycles=1)
    >>> [round(schedule.rate({}, epoch, 0), 3) for epoch in range(4)]
    [0.259, 0.984, 0.653, 0.083]
    """

    _parameter_constraints = {
        **Schedule._parameter_constraints,
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_cycles": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, learning_rate_init=0.001, max_iter=200, n_cycles=4):
        super().__init__(learning_rate_init)
        self.max_iter = max_iter
        self.n_cycles = n_cycles

    def rate(self, state, epoch, t):
        progress = (min(epoch, self.max_iter - 1) + 0.5) / self.max_iter
        phase = math.log2(1.0 + (2.0**self.n_cycles - 1.0) * progress)
        return float(
            self.learning_rate_init * 0.5 * (1.0 - math.cos(2 * math.pi * phase))
        )


_REGISTRY = {
    "constant": Constant,
    "invscaling": InvScaling,
    "adaptive": Adaptive,
    "step_decay": StepDecay,
    "cosine": Cosine,
    "coslog": CosLog,
}
