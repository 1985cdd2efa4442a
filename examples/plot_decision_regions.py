"""
Decision regions of a classifier
================================

The probability of the positive class that :class:`~skprop.BackpropClassifier`
learns over the plane, for networks of growing depth and for two hidden
activations, on scikit-learn's two moons.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning

from skprop import BackpropClassifier

# 300 epochs suffice here; the ConvergenceWarning says otherwise.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_moons(n_samples=300, noise=0.25, random_state=0)
low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
grid_x, grid_y = np.meshgrid(
    np.linspace(low[0], high[0], 150), np.linspace(low[1], high[1], 150)
)
grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])

# %%
# ``hidden_layer_sizes=()`` is logistic regression: a straight boundary.
# Hidden layers bend it; ``tanh`` gives smooth boundaries, ``relu`` piecewise
# linear ones.
settings = [
    ((), "relu"),
    ((8,), "relu"),
    ((32, 32), "relu"),
    ((), "tanh"),
    ((8,), "tanh"),
    ((32, 32), "tanh"),
]
fig, axes = plt.subplots(2, 3, figsize=(10, 6.5), sharex=True, sharey=True)
for ax, (layers, activation) in zip(axes.ravel(), settings):
    model = BackpropClassifier(
        hidden_layer_sizes=layers,
        activation=activation,
        learning_rate=0.01,
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    proba = model.predict_proba(grid)[:, 1].reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, proba, levels=20, cmap="RdBu_r", alpha=0.6)
    ax.contour(grid_x, grid_y, proba, levels=[0.5], colors="k")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", lw=0.3, s=12)
    ax.set_title(
        f"{layers or 'no hidden layer'}, {activation}: "
        f"accuracy {model.score(X, y):.2f}",
        fontsize=9,
    )
fig.tight_layout()
