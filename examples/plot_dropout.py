"""
The effect of dropout
=====================

An over-sized network on a small, noisy data set learns its training set by
heart: the training loss keeps falling while the validation loss turns back
up. Dropout (``dropout=``, inverted dropout on the hidden layers, training
only) slows that down. Each curve is one seed of
:class:`~skprop.BackpropClassifier`, trained for a fixed number of epochs
on the same split.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skprop import BackpropClassifier

# Every fit here runs its fixed number of epochs on purpose.
warnings.filterwarnings("ignore", category=ConvergenceWarning)
X, y = make_classification(
    n_samples=400, n_features=40, n_informative=8, flip_y=0.1, random_state=0
)
X = StandardScaler().fit_transform(X)
X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)

# %%
# The same network with four dropout rates.
models = {}
for rate in (0.0, 0.2, 0.4, 0.6):
    models[rate] = BackpropClassifier(
        (128, 128),
        dropout=rate,
        learning_rate=0.001,
        max_iter=100,
        n_iter_no_change=100,
        random_state=0,
    ).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    print(f"dropout {rate}: validation accuracy {models[rate].score(X_val, y_val):.3f}")

# %%
# Training loss (left) and validation loss (right) per epoch.
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for rate, model in models.items():
    left.plot(model.loss_curve_, label=f"dropout={rate}")
    right.plot(model.validation_loss_curve_, label=f"dropout={rate}")
left.set(xlabel="epoch", ylabel="loss", title="Training loss", yscale="log")
right.set(xlabel="epoch", title="Validation loss")
left.legend()
fig.tight_layout()
