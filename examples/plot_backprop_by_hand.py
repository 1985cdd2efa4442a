"""
Backpropagation by hand, checked by finite differences
======================================================

A tiny network — 3 inputs, 4 tanh units, 3 softmax outputs — trained for a
few epochs by :class:`~skprop.BackpropClassifier`. We then redo by hand, in
a few lines of NumPy, what the engine computes for one batch (the forward
pass, the loss, the backward pass by the chain rule) and check every
gradient three ways: against central finite differences of the objective,
and against the gradient skprop's own engine computes. The formulas are
those of the user guide's page on backpropagation.
"""

# %%
# A fitted model gives us weights to work with.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skprop import BackpropClassifier

rng = np.random.RandomState(0)
X = rng.normal(size=(6, 3))
y = np.array([0, 1, 2, 0, 1, 2])
alpha = 0.01
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    model = BackpropClassifier(
        hidden_layer_sizes=(4,),
        activation="tanh",
        alpha=alpha,
        max_iter=5,
        batch_size=6,
        random_state=0,
    ).fit(X, y)
W1, W2 = model.coefs_
b1, b2 = model.intercepts_
Y = np.eye(3)[y]  # one-hot targets
n = len(X)

# %%
# The forward pass: :math:`Z_1 = X W_1 + b_1`, :math:`A_1 = \tanh(Z_1)`,
# :math:`Z_2 = A_1 W_2 + b_2`, and the softmax link. It reproduces
# ``predict_proba``.


def forward(W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    Z2 = A1 @ W2 + b2
    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    return A1, P / P.sum(axis=1, keepdims=True)


def objective(W1, b1, W2, b2):
    """Mean cross-entropy plus the L2 penalty on the weights, over the batch."""
    _, P = forward(W1, b1, W2, b2)
    penalty = 0.5 * alpha * ((W1**2).sum() + (W2**2).sum())
    return (-(Y * np.log(P)).sum() + penalty) / n


A1, P = forward(W1, b1, W2, b2)
print(
    "largest difference from predict_proba:", np.abs(P - model.predict_proba(X)).max()
)

# %%
# The backward pass. The output layer's error term is
# :math:`\delta_2 = (P - Y)/n`; each layer's gradients are
# :math:`A^\top \delta` (plus the penalty's :math:`\alpha W / n`) and the
# column sums of :math:`\delta`; the error term below is
# :math:`\delta_1 = \delta_2 W_2^\top \odot (1 - A_1^2)`.
delta2 = (P - Y) / n
grad_W2 = A1.T @ delta2 + alpha * W2 / n
grad_b2 = delta2.sum(axis=0)
delta1 = (delta2 @ W2.T) * (1 - A1**2)
grad_W1 = X.T @ delta1 + alpha * W1 / n
grad_b1 = delta1.sum(axis=0)
by_hand = {"W1": grad_W1, "b1": grad_b1, "W2": grad_W2, "b2": grad_b2}

# %%
# Central finite differences: nudge each parameter by :math:`\pm h` and
# difference the objective.
params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
h = 1e-6
numeric = {}
for name, array in params.items():
    numeric[name] = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        shifted = {k: v.copy() for k, v in params.items()}
        shifted[name][index] += h
        up = objective(**shifted)
        shifted[name][index] -= 2 * h
        down = objective(**shifted)
        numeric[name][index] = (up - down) / (2 * h)

# %%
# skprop's engine on the same batch: the network of
# :class:`skprop._layers.Dense` layers over one flat parameter vector, and
# the batch objective of :func:`skprop._epoch.objective`, which leaves the
# gradient in ``net.grad``. (These are private modules, used here only to
# show that the engine computes what we computed by hand.)
from skprop._epoch import objective as engine_objective  # noqa: E402
from skprop._layers import Dense  # noqa: E402
from skprop._network import Network  # noqa: E402
from skprop.activations import Tanh  # noqa: E402
from skprop.losses import LogLoss  # noqa: E402

net = Network.empty([Dense(3, 4, Tanh()), Dense(4, 3)], np.float64)
net.load([[W1, b1], [W2, b2]])
value = engine_objective(net, LogLoss().for_target("multiclass"), X, Y, None, alpha, n)
engine = {
    "W1": net.grad_arrays[0][0],
    "b1": net.grad_arrays[0][1],
    "W2": net.grad_arrays[1][0],
    "b2": net.grad_arrays[1][1],
}
print(f"objective: by hand {objective(**params):.12f}, engine {value:.12f}")
for name in params:
    to_numeric = np.abs(by_hand[name] - numeric[name]).max()
    to_engine = np.abs(by_hand[name] - engine[name]).max()
    print(f"{name}: |hand - finite differences| {to_numeric:.1e}, ", end="")
    print(f"|hand - engine| {to_engine:.1e}")

# %%
# Every gradient entry: by hand against finite differences (points on the
# diagonal agree).
fig, ax = plt.subplots(figsize=(5, 4.5))
for name in params:
    ax.plot(numeric[name].ravel(), by_hand[name].ravel(), "o", label=name)
limit = max(np.abs(g).max() for g in numeric.values()) * 1.1
ax.plot([-limit, limit], [-limit, limit], "k--", lw=1)
ax.set(
    xlabel="finite differences",
    ylabel="backpropagation by hand",
    title="Each gradient entry",
)
ax.legend()
fig.tight_layout()
