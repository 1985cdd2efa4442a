"""
A loss and an optimizer of your own
===================================

``LogCosh`` subclasses :class:`skprop.losses.Loss` and ``SignDescent``
subclasses :class:`skprop.optimizers.Optimizer`, each with the few lines the
base class asks for. :func:`skprop.checks.check_part` checks the loss's
gradient against finite differences; both parts then work like the built-in
ones: in ``fit``, in ``partial_fit`` on a stream of chunks, and inside
``GridSearchCV``, which clones them.
"""

# %%
# The two parts. A loss gives its elementwise value and its gradient with
# respect to the raw network output; an optimizer returns a step and its
# state.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_regression
from sklearn.model_selection import GridSearchCV, train_test_split

from skprop import BackpropRegressor
from skprop.checks import check_part
from skprop.losses import IdentityLink, Loss
from skprop.optimizers import Optimizer


class LogCosh(Loss):
    """Log of the hyperbolic cosine of the residual: half the squared error
    near zero, the absolute error far from it."""

    link = IdentityLink()

    def loss(self, y, raw):
        residual = raw - y
        return np.logaddexp(residual, -residual) - np.log(2.0)

    def gradient(self, y, raw):
        return np.tanh(raw - y)


class SignDescent(Optimizer):
    """Move each parameter by `lr` against the sign of its gradient."""

    def init(self, params):
        return {}

    def update(self, grad, state, params, lr):
        return -lr * np.sign(grad), state


check_part(LogCosh())  # raises PartCheckError if the gradient were wrong

# %%
# Regression data where a tenth of the training targets carry gross errors.
X, y = make_regression(n_samples=1500, n_features=8, noise=5.0, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y / y.std(), random_state=0)
rng = np.random.RandomState(0)
corrupted = rng.rand(len(y_train)) < 0.1
y_train[corrupted] += rng.normal(0, 10, corrupted.sum())

# %%
# Train with the custom parts three ways: ``fit``, ``partial_fit`` over
# chunks, and a grid search that clones them.
model = BackpropRegressor(
    (32,),
    loss=LogCosh(),
    optimizer=SignDescent(),
    learning_rate=0.001,
    max_iter=60,
    tol=1e-3,
    random_state=0,
)
model.fit(X_train, y_train)
print(f"fit           R² {model.score(X_test, y_test):.3f}")

stream = clone(model)
for _ in range(6):
    for X_chunk, y_chunk in zip(
        np.array_split(X_train, 10), np.array_split(y_train, 10)
    ):
        stream.partial_fit(X_chunk, y_chunk)
print(f"partial_fit   R² {stream.score(X_test, y_test):.3f}")

grid = {"optimizer": [SignDescent(), "adam"], "learning_rate": [0.001, 0.003]}
search = GridSearchCV(model, grid, scoring="neg_median_absolute_error", cv=3)
search.fit(X_train, y_train)
best = search.best_estimator_
print(f"GridSearchCV  R² {best.score(X_test, y_test):.3f} with {search.best_params_}")

# %%
# The log-cosh loss against the squared error it replaces: it grows only
# linearly, so the corrupted targets pull less.
residual = np.linspace(-4, 4, 200)[:, None]
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(residual, LogCosh().loss(np.zeros_like(residual), residual), label="log-cosh")
ax.plot(residual, 0.5 * residual**2, "--", label="half squared error")
ax.set_ylim(0, 4)
ax.set_xlabel("residual")
ax.set_ylabel("loss")
ax.legend()
fig.tight_layout()
