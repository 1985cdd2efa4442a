"""Estimator logic shared by the classifier and the regressor: parameter
checks, the fit / partial_fit flow, epochs bookkeeping and stopping."""

import copy
import time
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.optimize
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from skprop import activations as _activations
from skprop import losses as _losses
from skprop import optimizers as _optimizers
from skprop import schedules as _schedules
from skprop._component import resolve
from skprop._network import Network, flatten, glorot_init, parameter_views, predict_raw
from skprop._sklearn_callbacks import (
    CallbackSupportMixin,
    FitTask,
    with_sklearn_callbacks,
)
from skprop._training import (
    Batches,
    check_finite_outputs,
    divergence_error,
    full_objective,
    objective,
    run_epoch,
    weight_sum,
)
from skprop._version import __version__
from skprop.callbacks import call_callbacks


class InconsistentSkpropVersionWarning(UserWarning):
    """A model pickled by one skprop version is loaded by another."""


# scikit-learn's callback framework keeps its own bookkeeping on the estimator.
_CALLBACK_STATE = ("_skl", "_callback")


# Parameters that take a part by name or as an object: the names, and an
# object to suggest in errors.
_NAMED_PARTS = {
    "loss": (_losses._REGISTRY, "Huber(delta=1.0)"),
    "optimizer": (_optimizers._REGISTRY, "SGD(momentum=0.9)"),
    "learning_rate": (_schedules._REGISTRY, "InvScaling(0.001, power_t=0.5)"),
    "activation": (_activations._REGISTRY, "ELU(alpha=1.0)"),
}


def _resolve_activation(spec):
    """An Activation from a name or an Activation object."""
    return resolve(spec, _activations._REGISTRY, _activations.Activation, "activation")


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
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "dropout": [Interval(Real, 0, 1, closed="left"), list, tuple],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "callbacks": [list, tuple, None],
    }

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

    # ------------------------------------------------------------------
    # Parameters to parts
    # ------------------------------------------------------------------

    def _hidden_sizes(self):
        """`hidden_layer_sizes` as a list of positive ints."""
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if not all(isinstance(s, Integral) and s > 0 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be positive integers, one per hidden "
                f"layer; got {self.hidden_layer_sizes!r}."
            )
        return [int(s) for s in sizes]

    def _hidden_activations(self, n_hidden):
        """One Activation per hidden layer."""
        specs = self.activation
        if not isinstance(specs, (list, tuple)):
            specs = [specs] * n_hidden
        if len(specs) != n_hidden:
            raise ValueError(
                f"activation has {len(specs)} entries but there are {n_hidden} "
                "hidden layers; give one per hidden layer or a single one."
            )
        return [_resolve_activation(spec) for spec in specs]

    def _init_factors(self, hidden_activations):
        """Glorot factor per layer: its activation's, the output layer's taken
        from the last hidden layer (MLP uses one factor for every layer)."""
        if hidden_activations:
            factors = [act.init_factor for act in hidden_activations]
            return factors + factors[-1:]
        if isinstance(self.activation, (list, tuple)):
            return [_activations.Activation.init_factor]
        return [_resolve_activation(self.activation).init_factor]

    def _dropout_rates(self, n_hidden):
        """One dropout rate per hidden layer."""
        rates = self.dropout
        if not isinstance(rates, (list, tuple)):
            return [float(rates)] * n_hidden
        if len(rates) != n_hidden or not all(
            isinstance(r, Real) and 0 <= r < 1 for r in rates
        ):
            raise ValueError(
                f"dropout must be a float in [0, 1) or one such float per hidden "
                f"layer ({n_hidden}); got {rates!r}."
            )
        return [float(r) for r in rates]

    def _schedule(self):
        """The learning-rate schedule (a float means a constant rate)."""
        if isinstance(self.learning_rate, _schedules.Schedule):
            self.learning_rate.validate()
            return self.learning_rate
        return _schedules.Constant(self.learning_rate)

    def _optimizer(self):
        return resolve(
            self.optimizer, _optimizers._REGISTRY, _optimizers.Optimizer, "optimizer"
        )

    def _loss(self):
        """The loss for this estimator's target type."""
        loss = resolve(self.loss, _losses._REGISTRY, _losses.Loss, "loss")
        if loss.is_classification != is_classifier(self):
            kind = "a classification" if loss.is_classification else "a regression"
            raise ValueError(
                f"{type(self).__name__} cannot train with {kind} loss "
                f"({type(loss).__name__})."
            )
        return loss.for_target(self._target_type)

    def _check_parts(self):
        """Validate every parameter, nested parts included; return the parts."""
        self._validate_params()
        hidden = self._hidden_sizes()
        parts = {
            "hidden": hidden,
            "activations": self._hidden_activations(len(hidden)),
            "optimizer": self._optimizer(),
            "schedule": self._schedule(),
            "dropout": self._dropout_rates(len(hidden)),
        }
        if any(parts["dropout"]) and not parts["optimizer"].stochastic:
            raise ValueError("dropout needs a stochastic optimizer, not L-BFGS.")
        for callback in self.callbacks or []:
            if not callable(callback):
                raise TypeError(
                    f"callbacks must be callables; got {type(callback).__name__}."
                )
        return parts

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
        return self._atomic(self._fit, *data, incremental=incremental, classes=classes)

    def _has_partial_fit(self):
        """partial_fit exists only for stochastic optimizers."""
        optimizer = self.optimizer
        if isinstance(optimizer, str):
            optimizer = _optimizers._REGISTRY.get(optimizer, _optimizers.Optimizer)
        if not getattr(optimizer, "stochastic", True):
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
        saved = {
            name: (
                value,
                copy.copy(vars(value)) if hasattr(value, "get_params") else None,
            )
            for name, value in vars(self).items()
        }
        try:
            return super().set_params(**self._named_parts_as_objects(params))
        except BaseException:
            for name, (value, nested) in saved.items():
                setattr(self, name, value)
                if nested is not None:
                    vars(value).clear()
                    vars(value).update(nested)
            raise

    def _named_parts_as_objects(self, params):
        """`params`, with each part that a nested key addresses (such as
        ``optimizer__beta_1`` while ``optimizer="adam"``) turned from its name
        into its default object, so the nested key has an object to set."""
        params = dict(params)
        addressed = {key.split("__", 1)[0] for key in params if "__" in key}
        for name in addressed & _NAMED_PARTS.keys():
            value = params.get(name, getattr(self, name, None))
            if hasattr(value, "set_params"):
                continue
            registry, example = _NAMED_PARTS[name]
            if not (isinstance(value, str) and value in registry):
                raise ValueError(
                    f"Cannot set nested parameters of {name}={value!r}: give "
                    f"{name} as an object (for example {name}={example}); "
                    f"its parameters are then {name}__<parameter>."
                )
            params[name] = registry[value]()
        return params

    def _atomic(self, method, *args, **kwargs):
        """Run `method`; on any error restore the fitted state it started with.

        Training replaces arrays and dicts of fitted state rather than writing
        into them; only the curves (lists) grow in place. So a shallow copy of
        each list is a complete snapshot, at a cost independent of model size.
        """
        params = set(self._get_param_names())
        saved = {
            name: copy.copy(value) if isinstance(value, list) else value
            for name, value in vars(self).items()
            if name not in params and not name.startswith(_CALLBACK_STATE)
        }
        try:
            return method(*args, **kwargs)
        except BaseException:
            for name in [n for n in vars(self) if n not in params]:
                if not name.startswith(_CALLBACK_STATE):
                    delattr(self, name)
            vars(self).update(saved)
            raise

    # ------------------------------------------------------------------
    # The fit flow
    # ------------------------------------------------------------------

    def _fit(
        self,
        X,
        y,
        sample_weight,
        X_val,
        y_val,
        sample_weight_val,
        incremental,
        classes=None,
    ):
        parts = self._check_parts()
        first_pass = not hasattr(self, "coefs_") or not (self.warm_start or incremental)
        # Callbacks that score the model get the data as the user gave it.
        task_data = (X, y)
        X, Y, labels = self._validate_training_data(
            X, y, incremental, first_pass, classes
        )
        sample_weight = self._training_weights(sample_weight, X, labels, incremental)
        loss = self._loss()
        loss.check_target(Y)
        # Predictions use the parts the weights were trained with, whatever
        # set_params does afterwards.
        self._fitted_activations = [clone(a) for a in parts["activations"]]
        self._fitted_link = clone(loss.link)
        rng = check_random_state(self.random_state)
        # As MLP, L-BFGS ignores early_stopping: it trains on all the data.
        self._early_stopping = self.early_stopping and parts["optimizer"].stochastic
        layer_units = [X.shape[1], *parts["hidden"], Y.shape[1]]
        if first_pass:
            self._initialize(layer_units, parts, loss, rng, X.dtype)
        else:
            self._check_continuation(layer_units)
        params = flatten(self.coefs_, self.intercepts_, X.dtype)
        net = Network(params, layer_units, parts["activations"])
        self.coefs_, self.intercepts_ = net.coefs, net.intercepts
        train, val = self._split(
            X, Y, sample_weight, X_val, y_val, sample_weight_val, incremental, rng
        )
        self.early_stopped_ = False
        task = FitTask(self, *task_data, 1 if incremental else self.max_iter)
        if parts["optimizer"].stochastic:
            self._fit_stochastic(net, loss, parts, train, val, incremental, rng, task)
        else:
            self._fit_lbfgs(net, loss, parts, train, val, task)
        if not np.isfinite(net.params).all():
            raise divergence_error(
                "the weights became non-finite", self.n_iter_, weights_non_finite=True
            )
        task.end()
        return self

    def _training_weights(self, sample_weight, X, labels, incremental):
        """Validated sample weights (class weights folded in), or None."""
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        sample_weight = self._apply_class_weight(
            sample_weight, labels, X.dtype, incremental
        )
        if sample_weight is not None and not sample_weight.sum() > 0:
            raise ValueError("sample_weight sums to zero: nothing to learn from.")
        return sample_weight

    def _apply_class_weight(self, sample_weight, labels, dtype, incremental):
        """Regressors have no class weights."""
        return sample_weight

    def _initialize(self, layer_units, parts, loss, rng, dtype):
        """Fresh fitted state: weights as MLP's, counters and curves."""
        factors = self._init_factors(parts["activations"])
        params = glorot_init(layer_units, factors, rng, dtype)
        self.coefs_, self.intercepts_ = parameter_views(params, layer_units)
        self.n_layers_ = len(layer_units)
        self.n_outputs_ = layer_units[-1]
        self.out_activation_ = loss.link.out_activation
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.validation_loss_curve_ = []
        self._no_improvement_count = 0
        # The first stochastic epoch creates the optimizer state (see
        # _continued_optimizer_state); creating it here would hold a second copy.
        self._optimizer_state = {}
        self._schedule_state = parts["schedule"].init()
        self.best_loss_ = np.inf
        if self._early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None

    def _check_continuation(self, layer_units):
        """warm_start / partial_fit must keep the network's shape."""
        previous = [self.coefs_[0].shape[0]] + [b.shape[0] for b in self.intercepts_]
        if previous != layer_units:
            raise ValueError(
                f"The network has layer sizes {previous}, but the data and "
                f"hidden_layer_sizes need {layer_units}; use warm_start=False "
                "or a new estimator to change them."
            )

    def _split(
        self, X, Y, sample_weight, X_val, y_val, sample_weight_val, incremental, rng
    ):
        """Training data and validation data (None when there is none)."""
        train = (X, Y, sample_weight)
        if X_val is not None or y_val is not None:
            if X_val is None or y_val is None:
                raise ValueError("X_val and y_val must be given together.")
            return train, self._validate_validation_data(
                X_val, y_val, sample_weight_val, X.dtype
            )
        if not self._early_stopping:
            return train, None
        if incremental:
            raise ValueError(
                "partial_fit does not support early_stopping=True without a "
                "validation set: pass X_val and y_val to score each call."
            )
        stratify = self._stratify_labels(Y)
        arrays = [X, Y] if sample_weight is None else [X, Y, sample_weight]
        try:
            split = train_test_split(
                *arrays,
                random_state=rng,
                test_size=self.validation_fraction,
                stratify=stratify,
            )
        except ValueError as error:
            if stratify is None:
                raise
            raise ValueError(
                f"{error} The early-stopping hold-out is stratified by class; "
                f"classes_ {self._rare_classes(Y).tolist()} have fewer than 2 "
                "samples. Pass X_val and y_val, or set early_stopping=False."
            ) from error
        train, val = split[0::2], split[1::2]
        # Validation targets go whole through the loss: in X's dtype.
        val[1] = np.asarray(val[1], dtype=X.dtype)
        if val[0].shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        if sample_weight is None:
            train, val = (*train, None), (*val, None)
        return tuple(train), tuple(val)

    def _validate_validation_data(self, X_val, y_val, sample_weight_val, dtype):
        X_val = validate_data(
            self, X_val, reset=False, accept_sparse=["csr", "csc"], dtype=dtype
        )
        Y_val = self._encode_validation_targets(y_val, dtype)
        if Y_val.shape[0] != X_val.shape[0]:
            raise ValueError(
                f"X_val has {X_val.shape[0]} samples but y_val has {Y_val.shape[0]}."
            )
        if sample_weight_val is not None:
            sample_weight_val = _check_sample_weight(
                sample_weight_val, X_val, dtype=dtype, ensure_non_negative=True
            )
        return X_val, Y_val, sample_weight_val

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_samples} "
                "training samples; using one batch of all of them."
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _fit_stochastic(self, net, loss, parts, train, val, incremental, rng, task):
        """Minibatch epochs until max_iter, a plateau or a callback stops."""
        X, Y, sample_weight = train
        optimizer, schedule = parts["optimizer"], parts["schedule"]
        state = self._continued_optimizer_state(optimizer, net.params)
        batches = Batches(
            X, Y, sample_weight, self._batch_size(Y.shape[0]), net.params.dtype
        )
        order = np.arange(Y.shape[0]) if self.shuffle else None
        mean_weight = 1.0 if sample_weight is None else float(sample_weight.mean())
        self.n_iter_ = 0
        # Weights of the last complete epoch, for a clean stop on Ctrl-C.
        completed = net.params.copy()
        try:
            for _ in range(1 if incremental else self.max_iter):
                epoch = len(self.loss_curve_) + 1
                lr = schedule.rate(self._schedule_state, epoch - 1, self.t_)
                start = time.perf_counter()
                if order is not None:
                    rng.shuffle(order)
                settings = {
                    "lr": lr,
                    "alpha": self.alpha,
                    "mean_weight": mean_weight,
                    "clip_grad_norm": self.clip_grad_norm,
                    "epoch": epoch,
                    "dropout": parts["dropout"],
                }
                epoch_task = task.begin_epoch()
                with np.errstate(over="ignore", invalid="ignore"):
                    epoch_loss, state = run_epoch(
                        net, loss, optimizer, state, batches, order, settings, rng
                    )
                self._optimizer_state = state
                np.copyto(completed, net.params)
                self.t_ += Y.shape[0]
                stop = self._end_epoch(
                    net, loss, epoch_loss, val, lr, start, schedule, incremental
                )
                stop = task.end_epoch(epoch_task, stop)
                if stop:
                    break
            else:
                if not incremental:
                    warnings.warn(
                        f"Stochastic optimizer: maximum iterations (max_iter="
                        f"{self.max_iter}) reached and the optimization hasn't "
                        "converged yet. Increase max_iter, or raise the learning "
                        "rate.",
                        ConvergenceWarning,
                    )
        except KeyboardInterrupt:
            net.params[...] = completed
            # The optimizer keeps the moments of the interrupted epoch: they
            # only steer later training, and a copy would cost two vectors.
            self._optimizer_state = state
            warnings.warn(
                f"Training interrupted by the user (KeyboardInterrupt) after "
                f"{self.n_iter_} complete epoch(s); keeping the weights of the "
                "last complete epoch"
                + (
                    " (the best ones, with early stopping)."
                    if self._early_stopping
                    else "."
                )
            )
        if self._early_stopping and not incremental:
            self._restore_best(net)
        # Each step is checked by the next batch's loss, the last one here.
        rows = min(batches.batch_size, Y.shape[0])
        with np.errstate(over="ignore", invalid="ignore"):
            raw = net.forward(X[:rows])
        check_finite_outputs(raw, len(self.loss_curve_), "the training data")

    def _continued_optimizer_state(self, optimizer, params):
        """A fresh optimizer state holding the stored one's values when they
        fit `optimizer`: training writes into the returned arrays, and a failed
        fit must leave the stored state as it was."""
        state = optimizer.init(params)
        stored = getattr(self, "_optimizer_state", {})
        same_layout = stored.keys() == state.keys() and all(
            np.shape(stored[k]) == np.shape(state[k]) for k in state
        )
        if same_layout:
            for key, value in stored.items():
                if isinstance(state[key], np.ndarray):
                    np.copyto(state[key], value)
                else:
                    state[key] = value
        return state

    def _end_epoch(self, net, loss, epoch_loss, val, lr, start, schedule, incremental):
        """Record an epoch, update the stopping counters; True means stop."""
        self.n_iter_ += 1
        self.loss_ = epoch_loss
        self.loss_curve_.append(epoch_loss)
        val_loss, val_score = self._evaluate(net, loss, val)
        self._count_improvement(val_score, net)
        record = {
            "epoch": len(self.loss_curve_),
            "loss": epoch_loss,
            "val_loss": val_loss,
            "val_score": val_score,
            "learning_rate": lr,
            "time": time.perf_counter() - start,
        }
        if self.verbose:
            self._print_record(record)
        stop = call_callbacks(self.callbacks, self, record)
        # L-BFGS (no schedule) stops on its own criteria, as in MLP.
        if schedule is not None and self._no_improvement_count > self.n_iter_no_change:
            if incremental and self._early_stopping:
                self._stop_stream(net)
            else:
                plateau_stop, self._schedule_state = schedule.plateau(
                    self._schedule_state
                )
                stop = stop or plateau_stop
                if not plateau_stop:
                    self._no_improvement_count = 0
        return stop

    def _evaluate(self, net, loss, val):
        """Validation loss and score of the current weights (None, None
        without a validation set)."""
        if val is None:
            return None, None
        X_val, Y_val, weight_val = val
        with np.errstate(over="ignore", invalid="ignore"):
            val_loss, raw = full_objective(
                net, loss, X_val, Y_val, weight_val, self.alpha
            )
        check_finite_outputs(raw, len(self.loss_curve_), "the validation data")
        val_score = self._validation_score(Y_val, raw, weight_val)
        self.validation_loss_curve_.append(val_loss)
        if self.validation_scores_ is None:
            self.validation_scores_ = []
        self.validation_scores_.append(val_score)
        return val_loss, val_score

    def _count_improvement(self, val_score, net):
        """MLP's bookkeeping: count epochs that miss `tol`, keep the best."""
        if self._early_stopping:
            if self.best_validation_score_ is None:
                self.best_validation_score_ = -np.inf
            if val_score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if val_score > self.best_validation_score_:
                self.best_validation_score_ = val_score
                self._best_params = net.params.copy()
            return
        if self.best_loss_ is None:
            self.best_loss_ = np.inf
        if self.loss_ > self.best_loss_ - self.tol:
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        self.best_loss_ = min(self.best_loss_, self.loss_)

    def _restore_best(self, net):
        best = getattr(self, "_best_params", None)
        if best is not None and best.shape == net.params.shape:
            net.params[...] = best

    def _stop_stream(self, net):
        """Streaming early stopping: restore the best weights and say so."""
        self._restore_best(net)
        self.early_stopped_ = True
        self._no_improvement_count = 0
        warnings.warn(
            f"Validation score did not improve by tol={self.tol} for more than "
            f"{self.n_iter_no_change} partial_fit calls; the best weights "
            f"(validation score {self.best_validation_score_:.6g}) were restored. "
            "Further partial_fit calls train on from them."
        )

    def _print_record(self, record):
        """One aligned line per epoch."""

        def cell(key, spec):
            return "" if record[key] is None else format(record[key], spec)

        if record["epoch"] == 1:
            print(
                f"{'epoch':>6} {'loss':>12} {'val_loss':>12} {'val_score':>10} "
                f"{'lr':>10} {'seconds':>8}"
            )
        print(
            f"{record['epoch']:>6d} {record['loss']:>12.6f} "
            f"{cell('val_loss', '.6f'):>12} {cell('val_score', '.4f'):>10} "
            f"{cell('learning_rate', '.3g'):>10} {record['time']:>8.3f}"
        )

    def _fit_lbfgs(self, net, loss, parts, train, val, task):
        """Full-batch L-BFGS-B over the flat parameter vector."""
        X, Y, sample_weight = train
        Y = np.asarray(Y, dtype=net.params.dtype)
        total_weight = weight_sum(Y, sample_weight)

        def value_and_grad(flat):
            net.params[...] = flat
            with np.errstate(over="ignore", invalid="ignore"):
                value = objective(
                    net, loss, X, Y, sample_weight, self.alpha, total_weight
                )
            return value, net.grad.astype(np.float64)

        self.n_iter_ = 0
        start = [time.perf_counter()]

        stopped = [False]

        def after_iteration(intermediate_result):
            net.params[...] = intermediate_result.x
            epoch_task = task.begin_epoch()
            stop = self._end_epoch(
                net,
                loss,
                float(intermediate_result.fun),
                val,
                None,
                start[0],
                None,
                False,
            )
            stop = task.end_epoch(epoch_task, stop)
            start[0] = time.perf_counter()
            if stop:
                stopped[0] = True
                raise StopIteration

        self._no_improvement_count = 0
        result = scipy.optimize.minimize(
            value_and_grad,
            net.params.astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=after_iteration,
            options={
                "maxiter": self.max_iter,
                "maxfun": parts["optimizer"].max_fun,
                "gtol": self.tol,
            },
        )
        # A callback that stopped training may have chosen other weights
        # (EarlyStopping restores its best ones): they stand.
        if not stopped[0]:
            net.params[...] = result.x
        self.loss_ = float(result.fun)
        if not np.isfinite(self.loss_):
            raise divergence_error(
                f"the training loss became {self.loss_}",
                self.n_iter_,
                weights_non_finite=not np.isfinite(net.params).all(),
            )
        self.n_iter_ = min(int(result.nit), self.max_iter)
        if result.status == 1:
            warnings.warn(
                f"lbfgs failed to converge after {self.n_iter_} iteration(s) "
                f"({result.message}). Increase the number of iterations "
                f"(max_iter={self.max_iter}) or LBFGS(max_fun=...), or scale "
                "the data.",
                ConvergenceWarning,
            )

    # ------------------------------------------------------------------
    # Prediction
    # ------------------------------------------------------------------

    def _raw(self, X):
        """Raw network output for new data."""
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            reset=False,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
        )
        with np.errstate(over="ignore"):
            return predict_raw(
                X, self.coefs_, self.intercepts_, self._fitted_activations
            )

    def _reconstruction_attributes(self):
        """Fitted attributes of the current epoch, copied, for scikit-learn
        callbacks that evaluate a model mid-fit."""
        attributes = {
            name: copy.copy(value)
            for name, value in vars(self).items()
            if name.endswith("_") and not name.startswith("_")
        }
        attributes["coefs_"] = [c.copy() for c in self.coefs_]
        attributes["intercepts_"] = [b.copy() for b in self.intercepts_]
        return attributes

    def __getstate__(self):
        state = super().__getstate__()
        for name in [n for n in state if n.startswith(_CALLBACK_STATE[1:])]:
            state.pop(name)
        if hasattr(self, "coefs_"):
            state["_skprop_version"] = __version__
        return state

    def __setstate__(self, state):
        saved_version = state.pop("_skprop_version", __version__)
        if saved_version != __version__:
            warnings.warn(
                f"Trying to unpickle {type(self).__name__} from skprop version "
                f"{saved_version} when using version {__version__}. This might "
                "lead to breaking code or invalid results. Use at your own risk.",
                InconsistentSkpropVersionWarning,
            )
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
