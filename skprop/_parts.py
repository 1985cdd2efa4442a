"""From an estimator's parameters to the parts training uses: names resolved
to objects, one entry per hidden layer, every nested part validated.

Nothing here trains; `fit` starts here once scikit-learn's own parameter
checks have passed.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils._param_validation import InvalidParameterError

from skprop import activations as _activations
from skprop import layers as _layers
from skprop import losses as _losses
from skprop import optimizers as _optimizers
from skprop import schedules as _schedules
from skprop._component import resolve
from skprop._data import minibatch_size
from skprop._ensemble import EnsembleInput
from skprop._layers import ParameterGroup, default_groups
from skprop._trainer import Settings

# Parameters that take a part by name or as an object: the names, and an
# object to suggest in errors.
NAMED_PARTS = {
    "loss": (_losses._REGISTRY, "Huber(delta=1.0)"),
    "optimizer": (_optimizers._REGISTRY, "SGD(momentum=0.9)"),
    "learning_rate": (_schedules._REGISTRY, "InvScaling(0.001, power_t=0.5)"),
    "activation": (_activations._REGISTRY, "ELU(alpha=1.0)"),
}


def check_parts(estimator):
    """Every part of `estimator`'s parameters, validated.

    Returns
    -------
    parts : dict
        ``hidden`` (units per hidden layer), ``activations`` and ``dropout``
        (one per hidden layer), ``optimizer``, ``schedule``,
        ``early_stopping`` (whether it applies to this optimizer),
        ``last_best`` (whether ties go to the later epoch and plateaus never
        stop), ``input_layers``, ``n_members`` and ``groups`` (the
        network's parameter groups, in the order of the flat vector).
    """
    hidden = hidden_sizes(estimator.hidden_layer_sizes)
    parts = {
        "hidden": hidden,
        "activations": hidden_activations(estimator.activation, len(hidden)),
        "optimizer": resolve(
            estimator.optimizer,
            _optimizers._REGISTRY,
            _optimizers.Optimizer,
            "optimizer",
        ),
        "schedule": schedule(estimator.learning_rate),
        "dropout": dropout_rates(estimator.dropout, len(hidden)),
    }
    stochastic = parts["optimizer"].stochastic
    if any(parts["dropout"]) and not stochastic:
        raise ValueError("dropout needs a stochastic optimizer, not L-BFGS.")
    # As MLP, L-BFGS ignores early_stopping: it trains on all the data.
    parts["early_stopping"] = bool(estimator.early_stopping) and stochastic
    parts["last_best"] = parts["early_stopping"] and (
        estimator.early_stopping == "last_best"
    )
    parts["input_layers"] = [
        resolve(spec, _layers._REGISTRY, _layers.InputLayer, "input_layers")
        for spec in estimator.input_layers or []
    ]
    parts["n_members"] = estimator.n_members
    # Several members add their adapters' group.
    owners = parts["input_layers"] + parts["activations"]
    owners += [EnsembleInput] if estimator.n_members > 1 else []
    parts["groups"] = parameter_groups(owners, estimator.parameter_groups)
    for callback in estimator.callbacks or []:
        if not callable(callback):
            raise TypeError(
                f"callbacks must be callables; got {type(callback).__name__}."
            )
    return parts


def parameter_groups(parts, options):
    """The default groups, then the group of each part that owns parameters
    (it has a ``group`` method: input layers, parametric activations, the
    ensemble's adapters), with `options` (``{group name: {option: value}}``)
    applied."""
    groups = default_groups()
    for part in parts:
        group = ParameterGroup(**part.group()) if hasattr(part, "group") else None
        if group is not None and group.name not in [g.name for g in groups]:
            groups.append(group)
    by_name = {group.name: group for group in groups}
    for name, settings in (options or {}).items():
        if name not in by_name:
            raise ValueError(
                f"parameter_groups has no group {name!r}: the network's groups "
                f"are {sorted(by_name)}."
            )
        if not isinstance(settings, dict):
            raise TypeError(
                f"parameter_groups[{name!r}] must be a dict of options such as "
                f"{{'lr_factor': 0.1, 'weight_decay': False}}; got "
                f"{type(settings).__name__}."
            )
        for option, value in settings.items():
            if option == "lr_factor":
                if not isinstance(value, Real) or isinstance(value, bool) or value <= 0:
                    raise ValueError(
                        f"parameter_groups[{name!r}]['lr_factor'] must be a "
                        f"positive number; got {value!r}."
                    )
            elif option in ("weight_decay", "l2"):
                if not isinstance(value, (bool, np.bool_)):
                    raise ValueError(
                        f"parameter_groups[{name!r}][{option!r}] must be True or "
                        f"False; got {value!r}."
                    )
            else:
                raise ValueError(
                    f"parameter_groups[{name!r}] has no option {option!r}: the "
                    "options are 'lr_factor', 'weight_decay' and 'l2'."
                )
            setattr(by_name[name], option, value)
    return groups


def input_layers(parts, X):
    """Engine layers of the input-layer parts, in order, for training data
    `X` (on the host: NumPy or sparse)."""
    layers, n_inputs = [], None if X is None else X.shape[1]
    for part in parts:
        layer = part.build(n_inputs, X)
        layers.append(layer)
        n_inputs = layer.n_units
    return layers


def hidden_sizes(hidden_layer_sizes):
    """`hidden_layer_sizes` as a list of positive ints."""
    sizes = hidden_layer_sizes
    sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
    if not all(isinstance(s, Integral) and s > 0 for s in sizes):
        raise ValueError(
            f"hidden_layer_sizes must be > 0, got {hidden_layer_sizes!r}: "
            "give positive integers, one per hidden layer."
        )
    return [int(s) for s in sizes]


def _activation(spec):
    """An Activation from a name or an Activation object."""
    return resolve(spec, _activations._REGISTRY, _activations.Activation, "activation")


def hidden_activations(activation, n_hidden):
    """One Activation per hidden layer."""
    specs = activation
    if not isinstance(specs, (list, tuple)):
        specs = [specs] * n_hidden
    if len(specs) != n_hidden:
        raise ValueError(
            f"activation has {len(specs)} entries but there are {n_hidden} "
            "hidden layers; give one per hidden layer or a single one."
        )
    return [_activation(spec) for spec in specs]


def init_factors(activation, hidden):
    """Glorot factor per layer: its activation's, the output layer's taken
    from the last hidden layer (MLP uses one factor for every layer)."""
    if hidden:
        factors = [act.init_factor for act in hidden]
        return factors + factors[-1:]
    if isinstance(activation, (list, tuple)):
        return [_activations.Activation.init_factor]
    return [_activation(activation).init_factor]


def dropout_rates(dropout, n_hidden):
    """One dropout rate per hidden layer."""
    if not isinstance(dropout, (list, tuple)):
        return [float(dropout)] * n_hidden
    if len(dropout) != n_hidden or not all(
        isinstance(r, Real) and 0 <= r < 1 for r in dropout
    ):
        raise ValueError(
            f"dropout must be a float in [0, 1) or one such float per hidden "
            f"layer ({n_hidden}); got {dropout!r}."
        )
    return [float(r) for r in dropout]


def schedule(learning_rate):
    """The learning-rate schedule (a float means a constant rate, a name the
    schedule at its defaults)."""
    if isinstance(learning_rate, _schedules.Schedule):
        learning_rate.validate()
        return learning_rate
    if isinstance(learning_rate, str):
        if learning_rate not in _schedules._REGISTRY:
            raise InvalidParameterError(
                "The 'learning_rate' parameter must be a float in (0, inf), one "
                f"of {sorted(_schedules._REGISTRY)} (a Schedule at its defaults, "
                f"starting at 0.001) or a Schedule instance; got {learning_rate!r}. "
                "To convert all of MLP's learning-rate parameters at once "
                "(learning_rate, learning_rate_init, power_t, solver), use "
                "skprop.from_mlp."
            )
        return _schedules._REGISTRY[learning_rate]()
    return _schedules.Constant(learning_rate)


def training_loss(estimator):
    """The loss for `estimator`'s target type (known once y is validated):
    for several members, the mean of their losses."""
    loss = resolve(estimator.loss, _losses._REGISTRY, _losses.Loss, "loss")
    if loss.is_classification != is_classifier(estimator):
        kind = "a classification" if loss.is_classification else "a regression"
        raise ValueError(
            f"{type(estimator).__name__} cannot train with {kind} loss "
            f"({type(loss).__name__})."
        )
    loss = loss.for_target(estimator._target_type)
    if estimator.n_members > 1:
        return _losses._MemberMean(loss, estimator.n_members)
    return loss


def array_api_supported(estimator):
    """Whether every part the parameters name can train on arrays of any
    Array API library (names stand for their classes; nothing is checked)."""

    def part(spec, registry):
        return registry.get(spec) if isinstance(spec, str) else spec

    activations = estimator.activation
    if not isinstance(activations, (list, tuple)):
        activations = [activations]
    loss = part(estimator.loss, _losses._REGISTRY)
    parts = [part(a, _activations._REGISTRY) for a in activations]
    parts += [loss, getattr(loss, "link", None)]
    parts.append(part(estimator.optimizer, _optimizers._REGISTRY))
    parts += [part(layer, _layers._REGISTRY) for layer in estimator.input_layers or []]
    return all(getattr(p, "array_api_support", False) for p in parts)


def is_stochastic(optimizer):
    """Whether an optimizer parameter (name or object) takes minibatch steps;
    unknown names count as stochastic until `fit` rejects them."""
    if isinstance(optimizer, str):
        optimizer = _optimizers._REGISTRY.get(optimizer, _optimizers.Optimizer)
    return getattr(optimizer, "stochastic", True)


def named_parts_as_objects(estimator, params):
    """`params` for `set_params`, with each part that a nested key addresses
    (such as ``optimizer__beta_1`` while ``optimizer="adam"``) turned from
    its name into its default object, so the nested key has an object to
    set."""
    params = dict(params)
    addressed = {key.split("__", 1)[0] for key in params if "__" in key}
    for name in addressed & NAMED_PARTS.keys():
        value = params.get(name, getattr(estimator, name, None))
        if hasattr(value, "set_params"):
            continue
        registry, example = NAMED_PARTS[name]
        if not (isinstance(value, str) and value in registry):
            raise ValueError(
                f"Cannot set nested parameters of {name}={value!r}: give "
                f"{name} as an object (for example {name}={example}); "
                f"its parameters are then {name}__<parameter>."
            )
        params[name] = registry[value]()
    return params


def settings(estimator, parts, train, incremental):
    """The trainer's settings, from the estimator's parameters."""
    optimizer = parts["optimizer"]
    n_samples = train[1].shape[0]
    return Settings(
        max_epochs=1 if incremental else estimator.max_iter,
        alpha=estimator.alpha,
        # A full-batch optimizer (L-BFGS) minimises the objective itself.
        batch_size=(
            minibatch_size(estimator.batch_size, n_samples)
            if optimizer.stochastic
            else None
        ),
        shuffle=estimator.shuffle,
        tol=estimator.tol,
        n_iter_no_change=estimator.n_iter_no_change,
        early_stopping=parts["early_stopping"],
        clip_grad_norm=estimator.clip_grad_norm,
        streaming=incremental,
        max_fun=getattr(optimizer, "max_fun", None),
        last_best=parts["last_best"],
    )
