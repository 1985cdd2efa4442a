"""
Training and validation curves, and early stopping
==================================================

``fit`` is given a validation set (``X_val``, ``y_val``), so every epoch
records the training loss (``loss_curve_``), the validation loss
(``validation_loss_curve_``) and the validation score
(``validation_scores_``). With ``early_stopping=True`` training stops once
the validation score stops improving, and the model keeps the weights of its
best epoch, ``best_epoch_``; ``early_stopping="last_best"`` trains every
epoch and keeps the last best one.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

from skprop import BackpropClassifier

X, y = make_moons(n_samples=600, noise=0.3, random_state=0)
X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)

# %%
# Three stopping rules on the same data: the training loss's plateau
# (``n_iter_no_change`` epochs without improvement), early stopping on the
# validation score, and "last_best".
rules = {
    "early_stopping=False": False,
    "early_stopping=True": True,
    '"last_best"': "last_best",
}
models = {}
for name, rule in rules.items():
    model = BackpropClassifier(
        hidden_layer_sizes=(64, 64),
        learning_rate=0.01,
        max_iter=150,
        early_stopping=rule,
        n_iter_no_change=15,
        random_state=0,
    )
    models[name] = model.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    print(
        f"{name:22} epochs {model.n_iter_:3}  best_epoch_ {model.best_epoch_:3}  "
        f"validation accuracy {model.score(X_val, y_val):.3f}"
    )

# %%
# The curves of each rule; the dashed line marks the epoch whose weights the
# model keeps.
fig, axes = plt.subplots(1, 3, figsize=(11, 3.5), sharey=True)
for ax, (name, model) in zip(axes, models.items()):
    epochs = np.arange(1, len(model.loss_curve_) + 1)
    ax.plot(epochs, model.loss_curve_, label="training loss")
    ax.plot(epochs, model.validation_loss_curve_, label="validation loss")
    ax.plot(epochs, model.validation_scores_, label="validation accuracy")
    ax.axvline(model.best_epoch_, color="k", ls="--", lw=1)
    ax.set(title=name, xlabel="epoch")
axes[0].legend()
fig.tight_layout()
