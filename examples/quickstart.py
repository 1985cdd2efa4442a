"""
Quick start: digits in a pipeline
=================================

Train :class:`~skprop.BackpropClassifier` on scikit-learn's bundled digits,
behind a ``StandardScaler`` in a pipeline, and print the held-out accuracy
and the fit time. This is the README's quick-start script
(``python examples/quickstart.py``); it needs nothing beyond skprop itself.
"""

# %%
# Load the data and hold out a quarter of it, stratified by class.
import time

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skprop import BackpropClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

# %%
# Scale the pixels, then train one hidden layer of 100 ReLU units with Adam
# (skprop's defaults are scikit-learn MLP's).
model = make_pipeline(
    StandardScaler(), BackpropClassifier(hidden_layer_sizes=(100,), random_state=0)
)
start = time.perf_counter()
model.fit(X_train, y_train)
seconds = time.perf_counter() - start
accuracy = model.score(X_test, y_test)
print(f"digits: held-out accuracy {accuracy:.4f}, fit time {seconds:.2f} s")
