"""scikit-learn estimators that learn by backpropagation, on a small NumPy
engine with pluggable losses, optimizers, activations, schedules and
callbacks."""

from skprop._classifier import BackpropClassifier
from skprop._regressor import BackpropRegressor

__version__ = "0.1.0"

__all__ = ["BackpropClassifier", "BackpropRegressor", "__version__"]
