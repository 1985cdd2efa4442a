"""From scikit-learn's MLP to skprop: the translation of MLP's parameters,
and the errors that point to it."""

from sklearn.base import clone
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skprop.optimizers import LBFGS, SGD, Adam
from skprop.schedules import Adaptive, InvScaling

# Parameters with the same name and meaning in MLP and in skprop.
_SAME = (
    "hidden_layer_sizes",
    "activation",
    "alpha",
    "batch_size",
    "max_iter",
    "shuffle",
    "random_state",
    "tol",
    "verbose",
    "warm_start",
    "early_stopping",
    "validation_fraction",
    "n_iter_no_change",
)

# MLP's parameters that skprop names otherwise, and what each became.
RENAMED = {
    "solver": "optimizer='sgd', 'adam' or 'lbfgs'",
    "learning_rate_init": "learning_rate=<float>",
    "power_t": "learning_rate=InvScaling(learning_rate_init, power_t=...) "
    "(tuned as learning_rate__power_t)",
    "momentum": "optimizer=SGD(momentum=...) (tuned as optimizer__momentum)",
    "nesterovs_momentum": "optimizer=SGD(nesterov=...) (tuned as optimizer__nesterov)",
    "beta_1": "optimizer=Adam(beta_1=...) (tuned as optimizer__beta_1)",
    "beta_2": "optimizer=Adam(beta_2=...) (tuned as optimizer__beta_2)",
    "epsilon": "optimizer=Adam(epsilon=...) (tuned as optimizer__epsilon)",
    "max_fun": "optimizer=LBFGS(max_fun=...) (tuned as optimizer__max_fun)",
}

_KINDS = {"classifier": MLPClassifier, "regressor": MLPRegressor}


def renamed_message(names):
    """What skprop writes for MLP's parameters `names` (keys of RENAMED),
    and where to convert them all at once."""
    translations = "; ".join(
        f"MLP's {name} is skprop's {RENAMED[name]}" for name in names
    )
    return (
        f"{translations}. skprop.from_mlp(mlp, **overrides) converts an "
        "MLPClassifier / MLPRegressor, or a dict of its parameters, to the "
        "equivalent skprop estimator."
    )


def check_not_renamed(estimator, names, error):
    """Raise `error` (TypeError from the constructor, ValueError from
    set_params) naming the translation of MLP's parameters among `names`
    that `estimator` (a class or an instance) does not have."""
    params = estimator._get_param_names()
    mlp_names = [name for name in names if name in RENAMED and name not in params]
    if not mlp_names:
        return
    listed = ", ".join(map(repr, mlp_names))
    name = (
        estimator.__name__ if isinstance(estimator, type) else type(estimator).__name__
    )
    if error is TypeError:
        problem = f"{name}() got an unexpected keyword argument {listed}."
    else:
        problem = f"Invalid parameter {listed} for estimator {name}."
    raise error(f"{problem} {renamed_message(mlp_names)}")


def from_mlp(mlp, *, kind=None, **overrides):
    """The skprop estimator equivalent to a scikit-learn MLP.

    Every parameter of `MLPClassifier` / `MLPRegressor` is translated: `solver`
    with its hyper-parameters (`momentum`, `nesterovs_momentum`, `beta_1`,
    `beta_2`, `epsilon`, `max_fun`) becomes an `optimizer` object;
    `learning_rate_init` with `learning_rate` and `power_t` becomes
    `learning_rate` (a float, or an `InvScaling` / `Adaptive` schedule with
    ``solver="sgd"``: MLP applies its schedules to SGD only); the other
    parameters keep their name and value. At the same data and seed the
    result trains as the MLP does.

    Parameters
    ----------
    mlp : MLPClassifier, MLPRegressor or dict
        An MLP, fitted or not (only its parameters are read), or a dict of
        MLP parameters (missing ones take MLP's defaults).
    kind : {"classifier", "regressor"}, default=None
        Which estimator to build; required when `mlp` is a dict, inferred
        from an MLP.
    **overrides
        skprop parameters that replace translated ones or add to them, such
        as ``dropout=0.1``.

    Returns
    -------
    estimator : BackpropClassifier or BackpropRegressor
        Unfitted.

    Raises
    ------
    InvalidParameterError
        If an MLP parameter has a value MLP itself rejects.
    TypeError
        If the dict holds a name MLP does not know, or `overrides` hold one
        of MLP's names that skprop names otherwise.

    Examples
    --------
    >>> from sklearn.neural_network import MLPClassifier
    >>> from skprop import from_mlp
    >>> mlp = MLPClassifier(solver="sgd", learning_rate="invscaling", power_t=0.3)
    >>> model = from_mlp(mlp, dropout=0.1)
    >>> model.optimizer, model.learning_rate
    (SGD(), InvScaling(power_t=0.3))
    >>> from_mlp({"solver": "lbfgs", "max_fun": 500}, kind="regressor").optimizer
    LBFGS(max_fun=500)
    """
    mlp = _as_mlp(mlp, kind)
    misplaced = [name for name in overrides if name in RENAMED]
    if misplaced:
        raise TypeError(
            "from_mlp's overrides are skprop parameters; give MLP's "
            f"{', '.join(map(repr, misplaced))} with the MLP's parameters."
        )
    return _estimator(mlp)(**{**translate(mlp.get_params(deep=False)), **overrides})


def _as_mlp(mlp, kind):
    """An unfitted MLP of the wanted kind with `mlp`'s parameters, checked by
    MLP's own rules."""
    if kind is not None and kind not in _KINDS:
        raise ValueError(f"kind must be 'classifier' or 'regressor'; got {kind!r}.")
    if isinstance(mlp, dict):
        if kind is None:
            raise ValueError(
                "from_mlp needs kind='classifier' or kind='regressor' with a "
                "dict of MLP parameters."
            )
        mlp = _KINDS[kind](**mlp)
    elif not isinstance(mlp, (MLPClassifier, MLPRegressor)):
        raise TypeError(
            "from_mlp takes an MLPClassifier, an MLPRegressor or a dict of "
            f"their parameters; got {type(mlp).__name__}."
        )
    elif kind is not None and not isinstance(mlp, _KINDS[kind]):
        raise ValueError(f"kind={kind!r} but got a {type(mlp).__name__}.")
    # clone copies the parameters (a RandomState included), as for any
    # estimator built from another's parameters.
    mlp = clone(mlp)
    mlp._validate_params()
    return mlp


def _estimator(mlp):
    """skprop's class for `mlp`'s kind."""
    # Imported here: the estimators' module imports this one for its errors.
    from skprop._classifier import BackpropClassifier
    from skprop._regressor import BackpropRegressor

    return BackpropClassifier if isinstance(mlp, MLPClassifier) else BackpropRegressor


def translate(params):
    """skprop's parameters for MLP's `params` (all of them, as get_params
    gives them)."""
    skprop = {name: params[name] for name in _SAME}
    if not params["early_stopping"] and params["validation_fraction"] == 0:
        # MLP ignores it without early stopping, and skprop rejects 0.
        del skprop["validation_fraction"]
    if "loss" in params:
        skprop["loss"] = params["loss"]
    skprop["optimizer"] = _optimizer(params)
    skprop["learning_rate"] = _learning_rate(params)
    return skprop


def _optimizer(params):
    """The optimizer object for MLP's solver and its hyper-parameters."""
    solver = params["solver"]
    if solver == "sgd":
        return SGD(momentum=params["momentum"], nesterov=params["nesterovs_momentum"])
    if solver == "adam":
        return Adam(
            beta_1=params["beta_1"], beta_2=params["beta_2"], epsilon=params["epsilon"]
        )
    return LBFGS(max_fun=params["max_fun"])


def _learning_rate(params):
    """The learning rate or schedule; MLP's schedules act on SGD only."""
    rate = params["learning_rate_init"]
    if params["solver"] != "sgd" or params["learning_rate"] == "constant":
        return rate
    if params["learning_rate"] == "invscaling":
        return InvScaling(rate, power_t=params["power_t"])
    return Adaptive(rate)
