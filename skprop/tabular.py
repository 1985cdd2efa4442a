"""A recipe for tabular data: preprocessing and a network in one pipeline.

`make_classifier` and `make_regressor` return an unfitted
`TabularPipeline` (a scikit-learn `~sklearn.pipeline.Pipeline`) that takes
a pandas (or polars) DataFrame with numeric, date and categorical columns
as it comes, missing values included, or a plain NumPy array, and raw
targets. Its steps, named for `set_params` and `GridSearchCV` keys:

- ``prep``: a `~skprop.preprocessing.TabularPreprocessor`, which sorts the
  columns by kind when fitted and builds a
  `~sklearn.compose.ColumnTransformer` of the branches that have columns,
  selecting them by name:

  - ``prep__num``, the numeric columns: ``scale``, a `RobustSmoothScaler`
    (median, interquartile range, smooth clipping to ±3), then ``impute``,
    a `~skprop.preprocessing.ConstantImputer` filling 0 (the median, once
    scaled) and adding a missing-value indicator for each column that had
    missing values when fitting.
  - date and time columns become five numbers each (seconds since 1970,
    month, day, weekday, hour; `~skprop.preprocessing.DatetimeFeatures`),
    which then go through a copy of ``prep__num``.
  - ``prep__cat``, every other column (category, string, object, boolean):
    ``na``, which turns pandas' ``NA`` into NaN, then ``onehot``, a
    `~sklearn.preprocessing.OneHotEncoder` of every category of a column
    with at most ``prep__max_categories`` (256) of them, a missing value
    being a category of its own (a category unseen in fit encodes as all
    zeros). The first dense layer's
    weights on a column's one-hot block are that column's learned
    embedding: identifiers with dozens of values (a patient, a shop) keep
    their identity, which a smaller cap would pool.
  - a categorical column with more than ``prep__max_categories`` (256)
    distinct values, an identifier or free text, is encoded by its values'
    training frequencies instead (one feature,
    `~skprop.preprocessing.FrequencyEncoder`, then a copy of
    ``prep__num``), with a warning naming it.

  A DataFrame's columns go to a branch by dtype; an array is numeric unless
  its dtype is datetime64 (dates) or object or string (categorical). Arrays
  of other Array API libraries are refused with a TypeError.

- ``float32``: the features as float32 (`~skprop.preprocessing.AsFloat32`),
  which the network then trains in (half the memory traffic of float64, the
  same scores on the benchmark).
- ``net``: the network, `~skprop.BackpropClassifier`, or for regression a
  `~sklearn.compose.TransformedTargetRegressor` whose ``regressor`` is a
  `~skprop.BackpropRegressor` trained on standardised targets, and whose
  predictions are clipped to the training targets' range
  (`~skprop.preprocessing.TargetScaler`). The network's keys are therefore
  ``net__...`` for the classifier (``net__max_iter``) and
  ``net__regressor__...`` for the regressor (``net__regressor__max_iter``).

``make_classifier(device="cuda")`` (any PyTorch device) trains the
network there: the preprocessing runs on the host, its output goes to the
device once, the network trains on it through the Array API, and the fitted
network comes back to NumPy, so prediction, pickling, skops and ONNX are
those of a NumPy model. It needs PyTorch.

``fit(X, y, X_val=..., y_val=...)`` takes raw validation data: it goes
through the preprocessing fitted on `X` (and, for regression, the target
scaling fitted on `y`) before it reaches the network, whose early stopping
then uses it instead of the 20% hold-out. The fitted recipe renders in
notebooks, saves with skops trusting nothing but skprop's public classes,
and exports to ONNX (`skprop.onnx.to_onnx`, numeric and categorical
columns). ``set_output(transform="pandas")`` or ``"polars"`` passes frames
between the steps, with the same predictions.

The network starts with periodic embeddings of the numeric features
(`~skprop.layers.PeriodicEmbedding`: 16 frequencies, 4 outputs each,
concatenated with the features) and a learnable scale per input
(`~skprop.layers.FeatureScale`, learning rate ×6), then three hidden layers
of 256 units with dropout 0.15: ReLU for classification, GELU for
regression (which measured better there; ReLU is the cheaper). It trains
with AdamW (``beta_2=0.95``, ``weight_decay=0.02``, which skips the biases,
and no L2 penalty besides) and a cosine learning-rate schedule over the
epochs of `max_iter`: from 2e-3 over 128 epochs for classification, from
4e-3 over 128 for regression; on minibatches of up to 200. It keeps the
weights of the last epoch with the best score on a 20% hold-out
(``early_stopping="last_best"``).
The classifier's log loss has label smoothing 0.1. The schedule's length is
a parameter of its own (``...__learning_rate__max_iter``): the factories
keep it equal to an overridden `max_iter`, a grid search that tunes
`max_iter` should tune both.
"""

import difflib

from sklearn import config_context, get_config
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import check_array

from skprop._backend import to_namespace
from skprop._classifier import BackpropClassifier
from skprop._regressor import BackpropRegressor
from skprop.layers import FeatureScale, PeriodicEmbedding
from skprop.losses import LogLoss
from skprop.optimizers import AdamW
from skprop.preprocessing import (
    AsFloat32,
    TabularPreprocessor,
    TargetScaler,
    _categorical_branch,
    _numeric_branch,
)
from skprop.schedules import Cosine

# Epochs, from the development half of tabular_datasets.py (issue 23's
# closing note): regression measured better at 128 than at 256 (0.6694
# against 0.6742, in half the time), classification best at 128. Regression
# measured better at twice classification's learning rate.
_CLASSIFIER_EPOCHS = 128
_REGRESSOR_EPOCHS = 128


class TabularPipeline(Pipeline):
    """A `~sklearn.pipeline.Pipeline` whose `fit` also takes validation data
    and sends it through the pipeline's own preprocessing.

    The pipeline of `make_classifier` and `make_regressor`. With `X_val` and
    `y_val`, `fit` fits every step but the last on `X`, transforms `X_val`
    with them and gives the result to the last step's `fit` as its `X_val`;
    when the last step is a `~sklearn.compose.TransformedTargetRegressor`,
    `y_val` goes through the target transformation fitted on `y` too. So a
    network's early stopping and validation curves see validation data
    exactly as it sees training data. Everything else is `Pipeline`'s.

    Parameters
    ----------
    steps : list of tuples
        ``(name, estimator)`` pairs, as `Pipeline`'s.
    device : str or None, default=None
        A PyTorch device (``"cuda"``, ``"cuda:1"``, ``"mps"``, ``"cpu"``)
        that the last step trains on: the other steps' output moves there
        once, the last step fits with scikit-learn's ``array_api_dispatch``
        on, and its fitted arrays come back to NumPy. None trains on NumPy.
    transform_input : list of str or None, default=None
    memory : str or object with the joblib.Memory interface, default=None
    verbose : bool, default=False
        As `Pipeline`'s.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop.tabular import make_classifier
    >>> X, y = np.arange(80.0).reshape(40, 2), [0, 1] * 20
    >>> model = make_classifier(net__max_iter=3, random_state=0)
    >>> model = model.fit(X[:30], y[:30], X_val=X[30:], y_val=y[30:])
    >>> len(model.named_steps["net"].validation_scores_)
    3
    """

    def __init__(
        self, steps, *, device=None, transform_input=None, memory=None, verbose=False
    ):
        super().__init__(
            steps, transform_input=transform_input, memory=memory, verbose=verbose
        )
        self.device = device

    def fit(
        self, X, y=None, *, X_val=None, y_val=None, sample_weight_val=None, **params
    ):
        """Fit the pipeline, with optional validation data for its last step.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training data, as it comes.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Raw targets.
        X_val : DataFrame or array-like of shape (n_val_samples, n_features), \
                default=None
            Validation data, as it comes; given with `y_val`.
        y_val : array-like of shape (n_val_samples,) or \
                (n_val_samples, n_outputs), default=None
            Raw validation targets.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.
        **params : dict
            ``<step>__<parameter>`` fit parameters, as `Pipeline`'s, e.g.
            ``net__sample_weight``. ``net__X_val``, ``net__y_val`` and
            ``net__sample_weight_val`` are taken as `X_val`, `y_val` and
            `sample_weight_val`: raw, through the preprocessing.

        Returns
        -------
        self : TabularPipeline
            The fitted pipeline.
        """
        prefix = self.steps[-1][0] + "__"
        # Validation data addressed to the network (``net__X_val``) is the
        # same validation data: it goes through the preprocessing too.
        given = {"X_val": X_val, "y_val": y_val, "sample_weight_val": sample_weight_val}
        for name in list(given):
            routed = params.pop(prefix + name, None)
            if routed is not None and given[name] is not None:
                raise ValueError(
                    f"{name} is given twice: as {name} and {prefix}{name}."
                )
            if routed is not None:
                given[name] = routed
        X_val, y_val, sample_weight_val = given.values()
        no_validation = X_val is None and y_val is None and sample_weight_val is None
        if no_validation and self.device is None:
            return super().fit(X, y, **params)
        if not no_validation and (X_val is None or y_val is None):
            raise ValueError(
                "X_val and y_val must be given together (sample_weight_val needs both)."
            )
        last = {
            k.removeprefix(prefix): v for k, v in params.items() if k.startswith(prefix)
        }
        head = self[:-1]
        X_fitted = head.fit_transform(
            X, y, **{k: v for k, v in params.items() if not k.startswith(prefix)}
        )
        # With `memory`, the fitted steps are clones held by `head` only.
        self.steps[: len(head.steps)] = head.steps
        network = self._final_estimator
        if not no_validation:
            last.update(self._validation(head, network, y, X_val, y_val))
            if sample_weight_val is not None:
                last["sample_weight_val"] = sample_weight_val
        _fit_on_device(network, self.device, X_fitted, y, last)
        return self

    @staticmethod
    def _validation(head, network, y, X_val, y_val):
        """Raw validation data through the fitted preprocessing (and, for
        regression, the target scaling fitted on `y`)."""
        if isinstance(network, TransformedTargetRegressor):
            y_val = _scaled_targets(network, y, y_val)
            if get_config().get("enable_metadata_routing", False):
                # Metadata routing hands the wrapper's fit parameters to the
                # network only where it asks for them.
                network.regressor.set_fit_request(
                    X_val=True, y_val=True, sample_weight_val=True
                )
        return {"X_val": head.transform(X_val), "y_val": y_val}


def _fit_on_device(network, device, X, y, params):
    """Fit `network` on `X` moved to the PyTorch `device` (None: NumPy, as
    it is), then bring its fitted arrays back to NumPy."""
    if device is None:
        network.fit(X, y, **params)
        return
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            f"device={device!r} trains the network with PyTorch, which is not "
            "installed: pip install torch, or leave device=None."
        ) from error
    if "X_val" in params:
        params = {**params, "X_val": torch.asarray(params["X_val"], device=device)}
    with config_context(array_api_dispatch=True):
        network.fit(torch.asarray(X, device=device), y, **params)
    fitted = getattr(network, "regressor_", network)
    vars(fitted).update(vars(to_namespace(fitted)))


def make_classifier(*, epochs=None, device=None, **overrides):
    """The tabular recipe for classification, unfitted.

    Parameters
    ----------
    epochs : int or None, default=None
        The knob that trades accuracy for time: the network's epochs (its
        ``max_iter`` and its cosine schedule's length); fit time grows with
        it. None is 128. See the table of what each setting costs and buys
        in the user guide's tabular page.
    device : str or None, default=None
        A PyTorch device (``"cuda"``, ``"mps"``, ``"cpu"``) to train the
        network on; the fitted pipeline is a NumPy one whatever the device.
        See `TabularPipeline`.
    **overrides : dict
        `set_params` keys of the returned pipeline, e.g. ``net__max_iter=50``
        or ``prep__cat__onehot__max_categories=10``, and ``random_state``,
        short for ``net__random_state``. Overriding ``net__max_iter`` also
        sets the cosine schedule's length, ``net__learning_rate__max_iter``,
        unless that, or ``net__learning_rate``, is given too.

    Returns
    -------
    model : Pipeline
        Steps ``prep`` (the preprocessing), ``float32`` and ``net`` (a
        `~skprop.BackpropClassifier`); see `skprop.tabular`.

    Raises
    ------
    ValueError
        For a key that is not a parameter of the pipeline.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skprop.tabular import make_classifier
    >>> X = pd.DataFrame({
    ...     "size": [1.0, 2.0, np.nan, 4.0] * 10,
    ...     "colour": pd.Categorical(["red", "blue", "red", None] * 10),
    ... })
    >>> y = ["small", "small", "large", "large"] * 10
    >>> model = make_classifier(net__max_iter=5, random_state=0).fit(X, y)
    >>> model.predict(X.head(2)).shape
    (2,)
    >>> model.get_params()["net__hidden_layer_sizes"]
    (256, 256, 256)
    """
    network = BackpropClassifier(
        loss=LogLoss(label_smoothing=0.1),
        **_network("relu", _CLASSIFIER_EPOCHS, learning_rate=2e-3),
    )
    model = TabularPipeline(
        [("prep", _preprocessor()), _float32(), ("net", network)], device=device
    )
    return _overridden(model, _with_epochs(overrides, epochs, "net__"), "net__")


def make_regressor(*, epochs=None, device=None, **overrides):
    """The tabular recipe for regression, unfitted.

    Targets are standardised for training and predictions brought back to
    their scale, so `fit` takes raw targets.

    Parameters
    ----------
    epochs : int or None, default=None
        The network's epochs, as in `make_classifier`; None is 128.
    device : str or None, default=None
        A PyTorch device to train the network on, as in `make_classifier`.
    **overrides : dict
        `set_params` keys of the returned pipeline, e.g.
        ``net__regressor__max_iter=50`` or ``prep__num__scale__clip=None``,
        and ``random_state``, short for ``net__regressor__random_state``.
        Overriding ``net__regressor__max_iter`` also sets the cosine
        schedule's length, unless that, or the learning rate, is given too.

    Returns
    -------
    model : Pipeline
        Steps ``prep`` (the preprocessing), ``float32`` and ``net`` (a
        `~sklearn.compose.TransformedTargetRegressor` around a
        `~skprop.BackpropRegressor`); see `skprop.tabular`.

    Raises
    ------
    ValueError
        For a key that is not a parameter of the pipeline.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop.tabular import make_regressor
    >>> X = np.arange(40.0).reshape(20, 2)
    >>> y = 1000.0 + 10.0 * X[:, 0]
    >>> model = make_regressor(net__regressor__max_iter=5, random_state=0)
    >>> model.fit(X, y).predict(X[:2]).shape
    (2,)
    """
    network = TransformedTargetRegressor(
        regressor=BackpropRegressor(
            **_network("gelu", _REGRESSOR_EPOCHS, learning_rate=4e-3)
        ),
        transformer=TargetScaler(),
    )
    model = TabularPipeline(
        [("prep", _preprocessor()), _float32(), ("net", network)], device=device
    )
    network = "net__regressor__"
    return _overridden(model, _with_epochs(overrides, epochs, network), network)


def _network(activation, max_iter, learning_rate):
    """The network's settings, with fresh part objects."""
    return dict(
        input_layers=[PeriodicEmbedding(n_frequencies=16, n_outputs=4), FeatureScale()],
        parameter_groups={
            "scale": {"lr_factor": 6.0},
            "biases": {"weight_decay": False},
        },
        hidden_layer_sizes=(256, 256, 256),
        activation=activation,
        optimizer=AdamW(beta_2=0.95, weight_decay=0.02),
        learning_rate=Cosine(learning_rate_init=learning_rate, max_iter=max_iter),
        alpha=0.0,
        max_iter=max_iter,
        early_stopping="last_best",
        validation_fraction=0.2,
        dropout=0.15,
    )


def _preprocessor():
    """The ``prep`` step, with its branches' settings as parameters."""
    return TabularPreprocessor(num=_numeric_branch(), cat=_categorical_branch())


def _float32():
    """The ``float32`` step."""
    return ("float32", AsFloat32())


def _scaled_targets(network, y, y_val):
    """`y_val` as `network`, a TransformedTargetRegressor, will transform
    `y` when fitted on it."""
    if network.transformer is not None:
        transformer = clone(network.transformer)
    else:
        transformer = FunctionTransformer(
            network.func, network.inverse_func, validate=True, check_inverse=False
        )
    y = check_array(y, ensure_2d=False, dtype="numeric", input_name="y")
    y_val = check_array(y_val, ensure_2d=False, dtype="numeric", input_name="y_val")
    transformer.fit(y.reshape(len(y), -1))
    scaled = transformer.transform(y_val.reshape(len(y_val), -1))
    # As TransformedTargetRegressor: 1-D targets train the network in 1-D.
    return scaled.ravel() if y.ndim == 1 and scaled.shape[1] == 1 else scaled


def _with_epochs(overrides, epochs, network):
    """`overrides` with the epochs knob, which ``<network>max_iter`` may not
    contradict."""
    if epochs is None:
        return overrides
    given = overrides.get(network + "max_iter", epochs)
    if given != epochs:
        raise ValueError(
            f"epochs={epochs} and {network}max_iter={given} disagree; give one."
        )
    return {**overrides, network + "max_iter": epochs}


def _overridden(model, overrides, network):
    """`model` with `overrides` set, checking every key first."""
    overrides = dict(overrides)
    if "random_state" in overrides:
        overrides[network + "random_state"] = overrides.pop("random_state")
    schedule = network + "learning_rate"
    given = overrides.keys() & {schedule, schedule + "__max_iter"}
    if network + "max_iter" in overrides and not given:
        overrides[schedule + "__max_iter"] = overrides[network + "max_iter"]
    # Parents first, so that a new object's own parameters can follow it.
    for key in sorted(overrides, key=lambda key: key.count("__")):
        _check_key(model, key)
        model.set_params(**{key: overrides[key]})
    return model


def _check_key(model, key):
    """Raise a ValueError naming the nearest keys if `key` is not a parameter."""
    valid = model.get_params(deep=True)
    if key in valid:
        return
    nearest = difflib.get_close_matches(key, [*valid, "random_state"], n=3)
    hint = f" Did you mean {', '.join(map(repr, nearest))}?" if nearest else ""
    raise ValueError(
        f"Unknown setting {key!r}: the settings are the get_params() keys of "
        f"the pipeline returned, and random_state.{hint}"
    )
