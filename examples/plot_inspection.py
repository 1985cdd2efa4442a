"""
Inspecting a model: training curves and a summary
=================================================

:mod:`skprop.inspection` draws what a fit recorded and lists the network's
layers. :class:`~skprop.inspection.TrainingCurveDisplay` (scikit-learn's
Display style) plots the training loss, the validation loss and the
validation score per epoch and marks the kept epoch, ``best_epoch_``;
:func:`~skprop.inspection.summary` gives one row per layer, input layers
included, with sizes, activation, dropout and parameter counts.
"""

# %%
# A network with a learned feature scale in front of two hidden layers,
# trained with early stopping on a validation set.
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skprop import BackpropClassifier
from skprop.inspection import TrainingCurveDisplay, summary

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
X_train, X_val, y_train, y_val = train_test_split(X, y, stratify=y, random_state=0)
model = BackpropClassifier(
    (32, 16),
    input_layers=["scale"],
    dropout=0.1,
    early_stopping=True,
    n_iter_no_change=5,
    random_state=0,
)
model.fit(X_train, y_train, X_val=X_val, y_val=y_val)

# %%
# The summary prints as a text table (and renders as an HTML table in a
# notebook).
print(summary(model))

# %%
# The training curves; the vertical line marks the epoch whose weights the
# model kept.
display = TrainingCurveDisplay.from_estimator(model)
plt.show()

# %%
# The same curves on a log scale, drawn into axes of our own.
fig, ax = plt.subplots(figsize=(6, 3.5))
TrainingCurveDisplay.from_estimator(model, ax=ax, log_scale=True)
fig.tight_layout()
