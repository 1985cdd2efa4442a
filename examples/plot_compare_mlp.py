"""
skprop next to scikit-learn's MLPClassifier
===========================================

Each row trains :class:`~skprop.BackpropClassifier` and scikit-learn's
``MLPClassifier`` on the same standardized digits split, with the same
hidden layers, seed, epochs and optimizer settings (translated by
:func:`skprop.from_mlp`), and compares their held-out accuracy, fit time and
loss curves. At the same seed and settings skprop follows MLP's trajectory.
"""

# %%
import time
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skprop import from_mlp

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    StandardScaler().fit_transform(X), y, stratify=y, random_state=0
)
common = {"hidden_layer_sizes": (64,), "max_iter": 60, "random_state": 0}
settings = {
    "adam": {"solver": "adam", "learning_rate_init": 0.001},
    "sgd + nesterov": {"solver": "sgd", "momentum": 0.9, "learning_rate_init": 0.01},
    "lbfgs": {"solver": "lbfgs"},
}


def timed_fit(model):
    """Held-out accuracy, fit time in seconds and the fitted model."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    return model.score(X_test, y_test), time.perf_counter() - start, model


# %%
# Train both for each solver; :func:`~skprop.from_mlp` translates MLP's
# parameters into skprop's (``solver="sgd", momentum=0.9`` becomes
# ``optimizer=SGD(momentum=0.9)``).
rows = []
header = ("optimizer", "skprop acc", "MLP acc", "skprop s", "MLP s")
print("{:16} {:>10} {:>8} {:>9} {:>6}".format(*header))
for name, params in settings.items():
    mlp = MLPClassifier(**common, **params)
    ours = timed_fit(from_mlp(mlp))
    theirs = timed_fit(mlp)
    rows.append((name, ours, theirs))
    cells = (ours[0], theirs[0], ours[1], theirs[1])
    print("{:16} {:>10.4f} {:>8.4f} {:>9.2f} {:>6.2f}".format(name, *cells))

# %%
# The training loss of each epoch: the two curves lie on top of each other
# (L-BFGS has no epochs and no curve).
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
for ax, (name, ours, theirs) in zip(axes, rows[:2]):
    ax.plot(theirs[2].loss_curve_, lw=4, alpha=0.4, label="MLPClassifier")
    ax.plot(ours[2].loss_curve_, "k--", label="skprop")
    ax.set_title(name)
    ax.set_xlabel("epoch")
    ax.set_yscale("log")
axes[0].set_ylabel("training loss")
axes[0].legend()
fig.tight_layout()
