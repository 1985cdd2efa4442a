"""scikit-learn estimators that learn by backpropagation, on a small NumPy
engine with pluggable losses, optimizers, activations, schedules and
callbacks."""

from skprop._backend import to_namespace
from skprop._classifier import BackpropClassifier
from skprop._epoch import DivergenceError
from skprop._mlp import from_mlp
from skprop._model import InconsistentSkpropVersionWarning
from skprop._regressor import BackpropRegressor
from skprop._version import __version__

__all__ = [
    "BackpropClassifier",
    "BackpropRegressor",
    "DivergenceError",
    "InconsistentSkpropVersionWarning",
    "__version__",
    "from_mlp",
    "to_namespace",
]
