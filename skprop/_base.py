"""Estimator logic shared by the classifier and the regressor: parameter
checks, the fit / partial_fit flow, epochs bookkeeping and stopping."""

import copy
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    check_is_fitted,
    validate_data,
)

from skprop import _model
from skprop import activations as _activations
from skprop import losses as _losses
from skprop import optimizers as _optimizers
from skprop import schedules as _schedules
from skprop._backend import (
    check_same_namespace,
    float_dtypes,
    host_dtype,
    ops_for,
)
from skprop._data import training_data
from skprop._labels import ValueTargets
from skprop._mlp import check_not_renamed
from skprop._network import predict_raw
from skprop._parts import (
    array_api_supported,
    check_parts,
    is_stochastic,
    named_parts_as_objects,
    settings,
    training_loss,
)
from skprop._records import (
    Reporter,
    initialize,
    kept_on_error,
    reconstruction_attributes,
    state_of,
    store,
)
from skprop._sklearn_callbacks import (
    CallbackSupportMixin,
    FitTask,
    with_sklearn_callbacks,
)
from skprop._trainer import Trainer

# scikit-learn's callback framework keeps its own bookkeeping on the estimator.
_CALLBACK_STATE = ("_skl", "_callback")


class BaseBackprop(CallbackSupportMixin, BaseEstimator):
    """Shared logic of `BackpropClassifier` and `BackpropRegressor`."""

    _parameter_constraints = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [str, _activations.Activation, list, tuple],
        "loss": [str, _losses.Loss],
        "optimizer": [str, _optimizers.Optimizer],
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            str,
            _schedules.Schedule,
        ],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "early_stopping": ["boolean", StrOptions({"last_best"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "dropout": [Interval(Real, 0, 1, closed="left"), list, tuple],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "callbacks": [list, tuple, None],
        "input_layers": [list, tuple, None],
        "parameter_groups": [dict, None],
        "init": [StrOptions({"glorot", "data"})],
        "n_members": [Interval(Integral, 1, None, closed="left")],
    }

    def __new__(cls, *args, **kwargs):
        """Name the translation of MLP's parameters given to the constructor,
        which would otherwise raise a bare TypeError."""
        check_not_renamed(cls, kwargs, TypeError)
        return super().__new__(cls)

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss,
        optimizer="adam",
        learning_rate=0.001,
        alpha=0.0001,
        batch_size="auto",
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        warm_start=False,
        verbose=False,
        dropout=0.0,
        clip_grad_norm=None,
        callbacks=None,
        input_layers=None,
        parameter_groups=None,
        init="glorot",
        n_members=1,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.warm_start = warm_start
        self.verbose = verbose
        self.dropout = dropout
        self.clip_grad_norm = clip_grad_norm
        self.callbacks = callbacks
        self.input_layers = input_layers
        self.parameter_groups = parameter_groups
        self.init = init
        self.n_members = n_members

    # ------------------------------------------------------------------
    # Public training API
    # ------------------------------------------------------------------

    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the network to `X`, `y`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data is trained in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; a weight of 2 counts a sample twice.
        X_val, y_val : array-like, default=None
            A validation set. Its loss and score are recorded every epoch,
            and with ``early_stopping=True`` it replaces the
            `validation_fraction` hold-out.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._train(
            X, y, sample_weight, X_val, y_val, sample_weight_val, incremental=False
        )

    @with_sklearn_callbacks
    def _train(self, *data, incremental, classes=None):
        """fit (incremental=False) or partial_fit: all or nothing."""
        with kept_on_error(self, _CALLBACK_STATE):
            return self._fit(*data, incremental=incremental, classes=classes)

    def _has_partial_fit(self):
        """partial_fit exists only for stochastic optimizers."""
        if not is_stochastic(self.optimizer):
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers; "
                "L-BFGS is full-batch."
            )
        return True

    def set_params(self, **params):
        """Set parameters, nested ones included; all or nothing.

        Parameters
        ----------
        **params : dict
            Estimator parameters, e.g. ``optimizer__momentum=0.5``.

        Returns
        -------
        self : object
        """
        check_not_renamed(self, [name.split("__")[0] for name in params], ValueError)
        saved = {
            name: (
                value,
                copy.copy(vars(value)) if hasattr(value, "get_params") else None,
            )
            for name, value in vars(self).items()
        }
        try:
            return super().set_params(**named_parts_as_objects(self, params))
        except BaseException:
            for name, (value, nested) in saved.items():
                setattr(self, name, value)
                if nested is not None:
                    vars(value).clear()
                    vars(value).update(nested)
            raise

    # ------------------------------------------------------------------
    # The fit flow
    # ------------------------------------------------------------------

    def _fit(self, X, y, sample_weight, X_val, y_val, sample_weight_val, incremental,
             classes=None):  # fmt: skip
        """Validate, build or continue the network, train it, store the result."""
        self._validate_params()
        parts = check_parts(self)
        first_pass = not hasattr(self, "coefs_") or not (self.warm_start or incremental)
        # Callbacks that score the model get the data as the user gave it.
        task_data = (X, y)
        # Everything follows X: targets and weights are encoded on the host,
        # then moved to X's namespace and device with the validation data.
        ops = ops_for(X)
        y, sample_weight, y_val, sample_weight_val, classes = ops.host_inputs(
            y, sample_weight, y_val, sample_weight_val, classes
        )
        X_val = ops.move(X_val)
        ops.classes_to_host(self)
        X, Y, labels = self._validate_training_data(
            X, y, incremental, first_pass, classes
        )
        dtype = host_dtype(X.dtype)
        loss = training_loss(self)
        loss.check_target(Y)
        ops.check_parts(parts, loss)
        rng = check_random_state(self.random_state)
        net = _model.build(self, X, Y, parts, loss, rng, first_pass, ops, dtype)
        if first_pass:
            initialize(self, _model.layer_units(self), parts, loss)
        train, val = training_data(
            self, self._targets(), (X, Y, sample_weight, labels),
            (X_val, y_val, sample_weight_val), parts["early_stopping"],
            incremental, rng, dtype,
        )  # fmt: skip
        # In the network's dtype, of its namespace.
        train = ops.device_data(train, net.params.dtype)
        val = ops.device_data(val, net.params.dtype)
        task = FitTask(self, *task_data, 1 if incremental else self.max_iter)
        trainer = Trainer(
            net, loss, parts["optimizer"], parts["schedule"],
            settings(self, parts, train, incremental),
            ops.validation_score(self), Reporter(self, task), ops,
        )  # fmt: skip
        store(self, trainer.train(train, val, state_of(self), rng))
        ops.classes_to_device(self)
        task.end()
        return self

    def _targets(self):
        """What the data functions need of the targets (`skprop._labels`)."""
        return ValueTargets()

    # ------------------------------------------------------------------
    # Prediction
    # ------------------------------------------------------------------

    def _raw(self, X, method="predict"):
        """Raw network output for new data, and the ops it lives in;
        `method` names the caller in errors."""
        check_is_fitted(self)
        check_same_namespace(X, self, method)
        ops = ops_for(X)
        X = validate_data(
            self,
            X,
            reset=False,
            accept_sparse=["csr", "csc"],
            dtype=float_dtypes(X),
        )
        with np.errstate(over="ignore"):
            raw = predict_raw(X, _model.layers(self), _model.layer_arrays(self), ops)
        return raw, ops

    def _reconstruction_attributes(self):
        """`skprop._records.reconstruction_attributes`, for scikit-learn's
        callbacks."""
        return reconstruction_attributes(self)

    def __getstate__(self):
        # A copy: Python's own __getstate__ may return the live __dict__.
        return _model.pickled(dict(super().__getstate__()), _CALLBACK_STATE[1:])

    def __setstate__(self, state):
        super().__setstate__(_model.unpickled(state, type(self).__name__))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = array_api_supported(self)
        return tags
