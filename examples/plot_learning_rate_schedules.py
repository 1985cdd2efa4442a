"""
Learning-rate schedules over the epochs
=======================================

Every optimizer takes a schedule from :mod:`skprop.schedules` as its
``learning_rate``: :class:`~skprop.schedules.Constant`,
:class:`~skprop.schedules.InvScaling`, :class:`~skprop.schedules.StepDecay`,
:class:`~skprop.schedules.Cosine` and :class:`~skprop.schedules.CosLog`.
The :class:`~skprop.callbacks.History` callback records the rate each epoch
trained with, next to its loss.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skprop import BackpropClassifier
from skprop.callbacks import History
from skprop.schedules import Constant, Cosine, CosLog, InvScaling, StepDecay

# Every fit here runs its fixed number of epochs on purpose.
warnings.filterwarnings("ignore", category=ConvergenceWarning)
X, y = load_digits(return_X_y=True)
X, y = StandardScaler().fit_transform(X[:600]), y[:600]
EPOCHS = 40
schedules = {
    "Constant": Constant(0.01),
    "InvScaling": InvScaling(0.05, power_t=0.25),
    "StepDecay": StepDecay(0.01, step_size=10, gamma=0.3),
    "Cosine": Cosine(0.01, max_iter=EPOCHS),
    "CosLog": CosLog(0.01, max_iter=EPOCHS),
}

# %%
# Train the same network with each schedule, with SGD and momentum, for a
# fixed number of epochs (``n_iter_no_change`` as large as ``max_iter``).
histories = {}
for name, schedule in schedules.items():
    history = History()
    BackpropClassifier(
        (32,),
        optimizer="sgd",
        learning_rate=schedule,
        max_iter=EPOCHS,
        n_iter_no_change=EPOCHS,
        callbacks=[history],
        random_state=0,
    ).fit(X, y)
    histories[name] = history.records_

# %%
# The rate of each epoch (left) and the training loss it gave (right).
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
for name, records in histories.items():
    epochs = [r["epoch"] for r in records]
    left.plot(epochs, [r["learning_rate"] for r in records], label=name)
    right.plot(epochs, [r["loss"] for r in records], label=name)
left.set(xlabel="epoch", ylabel="learning rate", yscale="log", title="Schedules")
right.set(xlabel="epoch", ylabel="training loss", yscale="log", title="Training loss")
left.legend()
fig.tight_layout()
