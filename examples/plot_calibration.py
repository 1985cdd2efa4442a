"""
Calibration of predicted probabilities
======================================

Are the probabilities of :meth:`~skprop.BackpropClassifier.predict_proba`
honest? A reliability diagram bins the held-out predictions by predicted
probability and plots the observed frequency of the positive class in each
bin: a calibrated model lies on the diagonal. Cross-entropy
(:class:`~skprop.losses.LogLoss`) is a proper scoring rule, so a network
trained on it with early stopping is usually close to calibrated; label
smoothing pulls its probabilities towards one half.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.calibration import CalibrationDisplay
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skprop import BackpropClassifier
from skprop.losses import LogLoss

X, y = make_classification(
    n_samples=4000, n_features=20, n_informative=6, flip_y=0.05, random_state=0
)
X = StandardScaler().fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)

models = {
    "skprop, early stopping": BackpropClassifier(
        (64,), early_stopping=True, random_state=0
    ),
    "skprop, label smoothing 0.2": BackpropClassifier(
        (64,), loss=LogLoss(label_smoothing=0.2), early_stopping=True, random_state=0
    ),
    "logistic regression": LogisticRegression(),
}

# %%
# Fit each model and draw its reliability diagram on the held-out half.
fig, ax = plt.subplots(figsize=(5.5, 5))
for name, model in models.items():
    model.fit(X_train, y_train)
    CalibrationDisplay.from_estimator(
        model, X_test, y_test, n_bins=10, name=name, ax=ax
    )
ax.set_title("Reliability diagram (held-out data)")
fig.tight_layout()
