"""BackpropRegressor: continuous targets, one or several outputs."""

import numpy as np
from scipy import sparse
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import column_or_1d, validate_data

from skprop import losses as _losses
from skprop._backend import float_dtypes, host_dtype
from skprop._base import BaseBackprop


class BackpropRegressor(RegressorMixin, BaseBackprop):
    """Neural network regressor trained by backpropagation.

    A drop-in for scikit-learn's `MLPRegressor` (same parameter names and
    fitted attributes wherever the concept is the same), with pluggable
    losses (squared, absolute, Huber, quantile, Poisson or your own),
    optimizers, activations, schedules and callbacks, dropout and validation
    data.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Units of each hidden layer; ``()`` gives a linear model.
    activation : str, Activation or list of them, default="relu"
        Hidden activation, or one per hidden layer (see `skprop.activations`).
    loss : str or Loss, default="squared_error"
        "squared_error", "absolute_error", "huber", "quantile", "poisson" or
        an `skprop.losses.Loss`. For several outputs the per-sample loss is
        the sum over outputs.
    optimizer : str or Optimizer, default="adam"
        "sgd", "adam", "adamw", "rmsprop", "adagrad", "lbfgs" or an
        `skprop.optimizers.Optimizer`.
    learning_rate : float, str or Schedule, default=0.001
        Step size, an `skprop.schedules.Schedule`, or a schedule's name
        (MLP's ``"constant"``, ``"invscaling"``, ``"adaptive"``, ...) for that
        schedule at its defaults; `skprop.from_mlp` converts MLP's settings.
    alpha : float, default=0.0001
        L2 penalty on the weights (not the intercepts).
    batch_size : int or "auto", default="auto"
    max_iter : int, default=200
    shuffle : bool, default=True
    random_state : int, RandomState instance or None, default=None
    tol : float, default=1e-4
    n_iter_no_change : int or np.inf, default=10
        Epochs allowed without improvement before stopping; ``np.inf`` never
        stops on a plateau.
    early_stopping : bool or "last_best", default=False
        Stop on the validation R² and restore the best weights. "last_best"
        trains all `max_iter` epochs instead and keeps the weights of the
        last epoch with the best validation score. Stochastic optimizers
        only: L-BFGS, as in MLP, ignores it and trains on all the data.
    validation_fraction : float, default=0.1
    warm_start : bool, default=False
    verbose : bool, default=False
    dropout : float or list of float, default=0.0
    clip_grad_norm : float, default=None
    callbacks : list of callables, default=None
        Called as ``callback(estimator, record)`` after each epoch; True
        stops training. See `skprop.callbacks`.
    input_layers : list of str or InputLayer, default=None
        As in `BackpropClassifier`.
    parameter_groups : dict, default=None
        As in `BackpropClassifier`.
    init : {"glorot", "data"}, default="glorot"
        As in `BackpropClassifier`.
    n_members : int, default=1
        Members of an ensemble in one network, as in `BackpropClassifier`:
        `predict` is the mean of the members' predictions, and early
        stopping scores that mean.

    Attributes
    ----------
    coefs_ : list of ndarray
        Weight matrix of each layer, shape ``(fan_in, fan_out)``. With
        several members the hidden layers' are shared, and the output
        layer's has shape ``(n_members, fan_in, n_outputs)``: one per member.
    intercepts_ : list of ndarray
        Intercepts of each layer; the output layer's have shape
        ``(n_members, n_outputs)`` with several members.
    input_params_ : list of list of ndarray
        Arrays of each input layer (empty without `input_layers`).
    adapters_ : list of ndarray
        As in `BackpropClassifier`: with several members, their adapters,
        ``(n_members, n_inputs)``; empty for one member.
    loss_ : float
        Objective of the last epoch. With several outputs, the squared error
        is summed over outputs (scikit-learn's MLP reports its mean).
    best_loss_ : float or None
    loss_curve_ : list of float
    validation_scores_ : list of float or None
        R² on the validation data after each epoch.
    validation_loss_curve_ : list of float
        With several members, the mean of their losses, as in training.
    best_validation_score_ : float or None
    early_stopped_ : bool
    best_epoch_ : int
        The epoch (counting from 1, an index into `loss_curve_`) whose
        weights the model holds: the best validation epoch with early
        stopping, the one a callback restored, else the last one trained.
    n_iter_ : int
    t_ : int
    n_layers_ : int
    n_outputs_ : int
    out_activation_ : str
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skprop import BackpropRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    >>> model = BackpropRegressor(optimizer="lbfgs", random_state=0).fit(X, y)
    >>> model.predict(X[:2]).shape
    (2,)
    """

    _target_type = "continuous"

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
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
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            loss=loss,
            optimizer=optimizer,
            learning_rate=learning_rate,
            alpha=alpha,
            batch_size=batch_size,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            warm_start=warm_start,
            verbose=verbose,
            dropout=dropout,
            clip_grad_norm=clip_grad_norm,
            callbacks=callbacks,
            input_layers=input_layers,
            parameter_groups=parameter_groups,
            init=init,
            n_members=n_members,
        )

    @available_if(BaseBackprop._has_partial_fit)
    def partial_fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Train for one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
        X_val, y_val, sample_weight_val : array-like, default=None
            Validation data, scored after the epoch; needed for
            ``early_stopping=True``.

        Returns
        -------
        self : object
        """
        return self._train(
            X, y, sample_weight, X_val, y_val, sample_weight_val, incremental=True
        )

    def _validate_training_data(self, X, y, incremental, first_pass, classes=None):
        """Validated X and 2-D float targets of X's dtype."""
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=float_dtypes(X),
            reset=first_pass,
        )
        if sparse.issparse(y):
            y = y.toarray()
        # As MLP: a column is 1-D targets, with scikit-learn's warning.
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        Y = np.asarray(y, dtype=host_dtype(X.dtype))
        return X, Y.reshape(len(y), -1), None

    def _validation_score(self, Y, raw, sample_weight):
        """R² of the predictions."""
        return float(
            r2_score(Y, self._fitted_link.inverse(raw), sample_weight=sample_weight)
        )

    def _validation_score_xp(self, Y, raw, sample_weight, xp):
        """`_validation_score` of arrays of the Array API namespace `xp`."""
        predicted = self._fitted_link.inverse_xp(raw, xp)
        return float(r2_score(Y, predicted, sample_weight=sample_weight))

    def predict(self, X):
        """Predict targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        raw, ops = self._raw(X, "predict")
        prediction = ops.inverse(self._fitted_link, raw)
        return ops.ravel(prediction) if prediction.shape[1] == 1 else prediction

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        loss = self.loss
        if isinstance(loss, str):
            loss = _losses._REGISTRY.get(loss, _losses.Loss)
        if getattr(loss, "positive_target", False):
            tags.target_tags.positive_only = True
            # scikit-learn's multi-output check trains on negative targets,
            # which such a loss rejects; its fit check expects an R² above
            # 0.5 in 200 epochs, which a log link at defaults, like MLP's
            # Poisson, does not reach. Several non-negative outputs still work.
            tags.target_tags.multi_output = False
            tags.regressor_tags.poor_score = True
        return tags
