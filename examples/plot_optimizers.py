"""
Optimizers compared
===================

The same network trained with each optimizer of :mod:`skprop.optimizers`:
:class:`~skprop.optimizers.SGD` without and with momentum,
:class:`~skprop.optimizers.Adam`, :class:`~skprop.optimizers.AdamW`,
:class:`~skprop.optimizers.RMSprop` and :class:`~skprop.optimizers.Adagrad`
(their update rules are in the user guide's page on backpropagation), and
:class:`~skprop.optimizers.LBFGS`, which works on the full batch.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skprop import BackpropClassifier
from skprop.optimizers import LBFGS, SGD, Adagrad, Adam, AdamW, RMSprop

warnings.filterwarnings("ignore", category=ConvergenceWarning)  # fixed epochs
X, y = load_digits(return_X_y=True)
X, y = StandardScaler().fit_transform(X[:800]), y[:800]
optimizers = {
    "SGD": (SGD(momentum=0.0), 0.01),
    "SGD, Nesterov momentum 0.9": (SGD(momentum=0.9), 0.01),
    "Adam": (Adam(), 0.001),
    "AdamW": (AdamW(weight_decay=0.01), 0.001),
    "RMSprop": (RMSprop(), 0.001),
    "Adagrad": (Adagrad(), 0.01),
    "L-BFGS (iterations)": (LBFGS(), 0.001),
}

# %%
# Thirty epochs each (thirty iterations for L-BFGS), from the same initial
# weights.
fig, ax = plt.subplots(figsize=(6.5, 4.2))
for name, (optimizer, rate) in optimizers.items():
    model = BackpropClassifier(
        (32,),
        optimizer=optimizer,
        learning_rate=rate,
        max_iter=30,
        n_iter_no_change=30,
        random_state=0,
    ).fit(X, y)
    ax.plot(range(1, len(model.loss_curve_) + 1), model.loss_curve_, label=name)
ax.set(xlabel="epoch", ylabel="training loss", yscale="log")
ax.legend(fontsize=8)
fig.tight_layout()
