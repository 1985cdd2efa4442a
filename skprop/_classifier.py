"""BackpropClassifier: labels, class weights and probabilities."""

from sklearn.base import ClassifierMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import validate_data

from skprop._backend import float_dtypes
from skprop._base import BaseBackprop
from skprop._labels import MULTILABEL as _MULTILABEL
from skprop._labels import SINGLE as _SINGLE
from skprop._labels import ClassTargets, label_targets
from skprop._outputs import ClassifierOutputs
from skprop._parts import training_loss

# The link output (`Link.output_kind`) that each target type trains with.
_OUTPUT_KIND = {
    "binary": "probability",
    _SINGLE: "probability",
    _MULTILABEL: "probability",
    "multiclass": "distribution",
}
_KIND_MEANING = {
    "value": "values that are not probabilities",
    "probability": "one probability per output, e.g. LogitLink()",
    "distribution": "one probability distribution per row, e.g. SoftmaxLink()",
}


class BackpropClassifier(ClassifierMixin, ClassifierOutputs, BaseBackprop):
    """Neural network classifier trained by backpropagation.

    A drop-in for scikit-learn's `MLPClassifier` (same parameter names and
    fitted attributes wherever the concept is the same), with pluggable
    losses, optimizers, activations, schedules and callbacks, dropout, class
    weights and validation data.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Units of each hidden layer; ``()`` gives logistic regression.
    activation : str, Activation or list of them, default="relu"
        Hidden activation, or one per hidden layer: "identity", "logistic",
        "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus", "selu",
        "mish" or an `skprop.activations.Activation`.
    loss : str or Loss, default="log_loss"
        "log_loss" (binary, multiclass and multilabel) or a classification
        `skprop.losses.Loss`. The output activation follows from it.
    optimizer : str or Optimizer, default="adam"
        "sgd", "adam", "adamw", "rmsprop", "adagrad", "lbfgs" or an
        `skprop.optimizers.Optimizer` with its own hyper-parameters.
    learning_rate : float, str or Schedule, default=0.001
        Step size, an `skprop.schedules.Schedule`, or a schedule's name
        (MLP's ``"constant"``, ``"invscaling"``, ``"adaptive"``, ...) for that
        schedule at its defaults; `skprop.from_mlp` converts MLP's settings.
    alpha : float, default=0.0001
        L2 penalty on the weights (not the intercepts).
    batch_size : int or "auto", default="auto"
        Minibatch size; "auto" is ``min(200, n_samples)``.
    max_iter : int, default=200
        Epochs (L-BFGS: iterations).
    shuffle : bool, default=True
        Reshuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, the validation split and dropout.
    tol : float, default=1e-4
        Improvement below which an epoch counts as no improvement.
    n_iter_no_change : int or np.inf, default=10
        Epochs allowed without improvement before stopping (or lowering an
        `Adaptive` learning rate); ``np.inf`` never stops on a plateau.
    early_stopping : bool or "last_best", default=False
        Stop on the validation score (on `validation_fraction` of the data,
        stratified, or on ``X_val, y_val``) and restore the best weights.
        "last_best" trains all `max_iter` epochs instead and keeps the
        weights of the last epoch with the best validation score (on a
        plateau an `Adaptive` learning rate still drops). Stochastic
        optimizers only: L-BFGS, as in MLP, ignores it and trains on all
        the data.
    validation_fraction : float, default=0.1
    warm_start : bool, default=False
        Continue from the previous weights and optimizer state in `fit`.
    verbose : bool, default=False
        Print one line per epoch.
    dropout : float or list of float, default=0.0
        Inverted-dropout rate of the hidden layers, training only.
    clip_grad_norm : float, default=None
        Clip the global gradient norm of each step to this value.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
    callbacks : list of callables, default=None
        Called as ``callback(estimator, record)`` after each epoch; True
        stops training. See `skprop.callbacks`.
    input_layers : list of str or InputLayer, default=None
        Learned transformations of the features in front of the hidden
        layers, in order: "scale" (`skprop.layers.FeatureScale`), "periodic"
        (`skprop.layers.PeriodicEmbedding`) or `skprop.layers.InputLayer`
        objects. Their fitted arrays are ``input_params_``.
    parameter_groups : dict, default=None
        Options per parameter group, ``{group: {option: value}}``; the groups
        are "weights", "biases" and those of the input layers ("scale",
        "embedding"); the options ``lr_factor`` (a factor on the learning
        rate), ``weight_decay`` (whether an optimizer's decoupled weight
        decay applies) and ``l2`` (whether `alpha` penalises them), e.g.
        ``{"biases": {"weight_decay": False}}``.
    init : {"glorot", "data"}, default="glorot"
        Initial weights: "glorot" draws them as MLP does (uniform, Glorot's
        bound); "data" scales each unit so that its pre-activation has unit
        variance on (up to 1,000 rows of) the training data and sets its
        intercept from training points.
    n_members : int, default=1
        Members of an ensemble in one network (TabM's "mini" form,
        Gorishniy et al., ICLR 2025): the members share every hidden
        layer; each has its own multiplicative adapter on the first hidden
        layer's input (`adapters_`, starting at random signs) and its own
        output layer. Training minimises the mean of the members' losses;
        `predict_proba` is the mean of their probabilities, and early
        stopping scores that mean. Each member costs about one network's
        forward and backward pass through the hidden layers. 1 is MLP's
        network.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
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
        With several members, one array of shape ``(n_members, n_inputs)``:
        member i's input to the first hidden layer is the input layers'
        output (X without them) times ``adapters_[0][i]``. Empty for one
        member.
    loss_ : float
        Objective of the last epoch (mean of its minibatch objectives).
    best_loss_ : float or None
    loss_curve_ : list of float
    validation_scores_ : list of float or None
        Accuracy on the validation data after each epoch.
    validation_loss_curve_ : list of float
        Validation objective after each epoch (empty without validation
        data); with several members, the mean of their losses, as in
        training.
    best_validation_score_ : float or None
    early_stopped_ : bool
        Whether the last fit / partial_fit stopped on the validation score.
    best_epoch_ : int
        The epoch (counting from 1, an index into `loss_curve_`) whose
        weights the model holds: the best validation epoch with early
        stopping, the one a callback restored, else the last one trained.
    n_iter_ : int
        Epochs run by the last fit call.
    t_ : int
        Training samples seen, over all calls.
    n_layers_ : int
    n_outputs_ : int
    out_activation_ : str
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined when X has feature names that are all strings.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skprop import BackpropClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = BackpropClassifier(optimizer="lbfgs", random_state=0).fit(X, y)
    >>> model.predict(X[:3])
    array([0, 0, 0])
    """

    _parameter_constraints = {
        **BaseBackprop._parameter_constraints,
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="log_loss",
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
        class_weight=None,
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
        self.class_weight = class_weight

    @available_if(BaseBackprop._has_partial_fit)
    def partial_fit(
        self,
        X,
        y,
        sample_weight=None,
        classes=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Train for one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        sample_weight : array-like of shape (n_samples,), default=None
        classes : array-like of shape (n_classes,), default=None
            Every class of the stream; required on the first call (not for
            multilabel indicator targets).
        X_val, y_val, sample_weight_val : array-like, default=None
            Validation data, scored after the epoch; needed for
            ``early_stopping=True``.

        Returns
        -------
        self : object
        """
        return self._train(
            X,
            y,
            sample_weight,
            X_val,
            y_val,
            sample_weight_val,
            incremental=True,
            classes=classes,
        )

    # ------------------------------------------------------------------
    # Targets
    # ------------------------------------------------------------------

    def _validate_training_data(self, X, y, incremental, first_pass, classes=None):
        """Validated X, 0/1 target matrix Y (uint8: training casts it batch
        by batch) and 1-D labels (None if multilabel); sets `classes_` on a
        first pass."""
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=float_dtypes(X),
            reset=first_pass,
        )
        Y, labels = label_targets(self, y, incremental, first_pass, classes)
        _check_output_kind(training_loss(self), self._target_type, len(self.classes_))
        return X, Y, labels

    def _targets(self):
        return ClassTargets(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


def _check_output_kind(loss, target_type, n_classes):
    """Raise ValueError when `loss`'s link does not give the probabilities
    that targets of `target_type` need (a binary loss on a multiclass y)."""
    kind, needed = loss.link.output_kind, _OUTPUT_KIND[target_type]
    if kind == needed:
        return
    raise ValueError(
        f"BackpropClassifier cannot train loss={loss!r} on this y: the loss's "
        f"link {type(loss.link).__name__} has output_kind {kind!r} "
        f"({_KIND_MEANING[kind]}), but y is {target_type} ({n_classes} "
        f"classes), which needs output_kind {needed!r} "
        f"({_KIND_MEANING[needed]}). Give the loss a link of that kind and the "
        "matching gradient, or implement its for_target(target_type) to "
        "return the loss for each target type, as LogLoss does."
    )
