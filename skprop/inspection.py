"""Inspecting a model: its training curves and its layers.

`TrainingCurveDisplay` draws what a fit recorded, epoch by epoch, in
scikit-learn's Display style; `summary` lists the network's layers with
their sizes, activations and parameter counts, as text and as an HTML table.
Both take a `~skprop.BackpropClassifier` or `~skprop.BackpropRegressor`, or
an estimator that holds one: a `~sklearn.pipeline.Pipeline` ending in one
(the tabular recipe of `skprop.tabular` included) or a
`~sklearn.compose.TransformedTargetRegressor` around one.

Plotting needs matplotlib (``pip install skprop[plot]``), which is imported
only when something is drawn.
"""

import html
import math

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from skprop import _model
from skprop import activations as _activations
from skprop._base import BaseBackprop
from skprop._parts import check_parts, dropout_rates, input_layers

# The group of a parametric activation's mixes (`ParametricDense`).
_MIX_GROUP = "activation"
# A summary's columns of text (layer, activation); the others are numbers.
_TEXT_COLUMNS = (0, 3)


def _pyplot(caller):
    """matplotlib's pyplot, or an ImportError that names the extra."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            f"{caller} requires matplotlib; install it with `pip install skprop[plot]`."
        ) from error
    return plt


def _network_of(estimator):
    """The skprop network inside `estimator`, and the pipelines of the steps
    in front of it, outermost first."""
    heads = []
    network = estimator
    while not isinstance(network, BaseBackprop):
        if isinstance(network, Pipeline):
            heads.append(network[:-1])
            network = network._final_estimator
        elif isinstance(network, TransformedTargetRegressor):
            network = getattr(network, "regressor_", network.regressor)
        else:
            raise TypeError(
                f"{type(estimator).__name__} holds no BackpropClassifier or "
                "BackpropRegressor: give one, a Pipeline ending in one, or a "
                "TransformedTargetRegressor around one."
            )
    return network, heads


# ----------------------------------------------------------------------
# Training curves
# ----------------------------------------------------------------------


class TrainingCurveDisplay:
    """Training curves of a network: losses and validation score per epoch.

    It is recommended to use `TrainingCurveDisplay.from_estimator` to create
    a display from a fitted model. All parameters are stored as attributes.

    The training loss, and the validation loss where recorded, share the
    left y-axis; the validation score, where recorded, has a y-axis of its
    own on the right. A vertical line marks the kept epoch, the one whose
    weights the model holds. Epochs count from 1; for L-BFGS each epoch is
    an iteration.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training objective of each epoch (``loss_curve_``).
    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Validation objective of each epoch (``validation_loss_curve_``);
        None or empty when none was recorded.
    validation_scores : array-like of shape (n_epochs,), default=None
        Validation score of each epoch (``validation_scores_``); None or
        empty when none was recorded.
    best_epoch : int, default=None
        The kept epoch (``best_epoch_``), counting from 1; None draws no
        marker.
    estimator_name : str, default=None
        Name added to the legend labels; None adds none.
    score_name : str, default=None
        Label of the score axis; None means "Validation score".

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes of the losses.
    ax_score_ : matplotlib Axes or None
        Twin axes of the validation score; None when there is no score.
    figure_ : matplotlib Figure
        Figure holding the axes.
    lines_ : dict of str to matplotlib Artist or None
        The drawn artists, by key: "loss", "validation_loss",
        "validation_score" (`~matplotlib.lines.Line2D`) and "best_epoch"
        (the marker's line); None for what is not drawn.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against the
        number of training samples.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skprop.inspection import TrainingCurveDisplay
    >>> display = TrainingCurveDisplay(
    ...     loss_curve=[0.9, 0.5, 0.4, 0.38],
    ...     validation_loss_curve=[0.8, 0.55, 0.5, 0.52],
    ...     best_epoch=3,
    ... ).plot(log_scale=True)
    >>> display.lines_["loss"].get_xdata().tolist()
    [1, 2, 3, 4]
    >>> display.ax_.get_yscale()
    'log'
    """

    def __init__(
        self,
        loss_curve,
        validation_loss_curve=None,
        validation_scores=None,
        best_epoch=None,
        estimator_name=None,
        score_name=None,
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name
        self.score_name = score_name

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ax=None,
        log_scale=False,
        name=None,
        line_kw=None,
        best_epoch_kw=None,
    ):
        """Plot the training curves that a fitted model recorded.

        Parameters
        ----------
        estimator : estimator instance
            A fitted `~skprop.BackpropClassifier` or
            `~skprop.BackpropRegressor`, or a fitted
            `~sklearn.pipeline.Pipeline` or
            `~sklearn.compose.TransformedTargetRegressor` holding one.
        ax : matplotlib Axes, default=None
            Axes to draw the losses on; None creates a figure and axes.
        log_scale : bool, default=False
            Whether the loss axis is logarithmic ("symlog" where a loss is
            not positive).
        name : str, default=None
            Name for the legend labels; None uses the estimator's class name.
        line_kw : dict, default=None
            Keyword arguments of matplotlib's ``plot`` for each curve.
        best_epoch_kw : dict, default=None
            Keyword arguments of matplotlib's ``axvline`` for the marker of
            the kept epoch.

        Returns
        -------
        display : TrainingCurveDisplay

        Raises
        ------
        NotFittedError
            When the network is not fitted.
        ValueError
            When the network recorded no training loss.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import make_classification
        >>> from skprop import BackpropClassifier
        >>> from skprop.inspection import TrainingCurveDisplay
        >>> X, y = make_classification(random_state=0)
        >>> model = BackpropClassifier(
        ...     (16,), early_stopping=True, max_iter=20, random_state=0
        ... ).fit(X, y)
        >>> display = TrainingCurveDisplay.from_estimator(model)
        >>> display.best_epoch == model.best_epoch_
        True
        >>> sorted(key for key, line in display.lines_.items() if line)
        ['best_epoch', 'loss', 'validation_loss', 'validation_score']
        """
        _pyplot(f"{cls.__name__}.from_estimator")
        network, _ = _network_of(estimator)
        check_is_fitted(network)
        if not getattr(network, "loss_curve_", None):
            raise ValueError(
                f"{type(network).__name__} recorded no training loss "
                "(loss_curve_ is missing or empty): there is no curve to draw."
            )
        score = "accuracy" if is_classifier(network) else "R²"
        display = cls(
            loss_curve=list(network.loss_curve_),
            validation_loss_curve=getattr(network, "validation_loss_curve_", None),
            validation_scores=getattr(network, "validation_scores_", None),
            best_epoch=getattr(network, "best_epoch_", None),
            estimator_name=type(estimator).__name__ if name is None else name,
            score_name=f"Validation {score}",
        )
        return display.plot(
            ax=ax, log_scale=log_scale, line_kw=line_kw, best_epoch_kw=best_epoch_kw
        )

    def plot(
        self, ax=None, *, log_scale=False, name=None, line_kw=None, best_epoch_kw=None
    ):
        """Plot the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw the losses on; None creates a figure and axes.
        log_scale : bool, default=False
            Whether the loss axis is logarithmic ("symlog" where a loss is
            not positive).
        name : str, default=None
            Name for the legend labels; None uses `estimator_name`.
        line_kw : dict, default=None
            Keyword arguments of matplotlib's ``plot`` for each curve.
        best_epoch_kw : dict, default=None
            Keyword arguments of matplotlib's ``axvline`` for the marker of
            the kept epoch.

        Returns
        -------
        display : TrainingCurveDisplay
            The display, with `ax_`, `ax_score_`, `figure_` and `lines_`.
        """
        plt = _pyplot(f"{type(self).__name__}.plot")
        from matplotlib.ticker import MaxNLocator

        loss, val_loss, val_score, best_epoch = self._curves()
        if ax is None:
            _, ax = plt.subplots()
        name = self.estimator_name if name is None else name
        epochs = np.arange(1, loss.size + 1)

        def draw(axes, values, label, color):
            if values is None:
                return None
            kw = {"color": color, "label": _label(label, name), **(line_kw or {})}
            return axes.plot(epochs, values, **kw)[0]

        lines = {
            "loss": draw(ax, loss, "Training loss", "C0"),
            "validation_loss": draw(ax, val_loss, "Validation loss", "C1"),
        }
        ax_score = None if val_score is None else ax.twinx()
        score_label = self.score_name or "Validation score"
        lines["validation_score"] = draw(ax_score, val_score, score_label, "C2")
        lines["best_epoch"] = None
        if best_epoch is not None:
            kw = {"color": "0.4", "linestyle": "--", **(best_epoch_kw or {})}
            kw.setdefault("label", f"Kept epoch ({best_epoch})")
            lines["best_epoch"] = ax.axvline(best_epoch, **kw)
        if log_scale:
            losses = loss if val_loss is None else np.concatenate([loss, val_loss])
            ax.set_yscale("log" if losses.min() > 0 else "symlog")
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Loss")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if ax_score is not None:
            ax_score.set_ylabel(score_label)
        # On the top axes, so that the score's axes do not hide it.
        (ax if ax_score is None else ax_score).legend(
            handles=[line for line in lines.values() if line is not None]
        )
        self.ax_, self.ax_score_, self.figure_ = ax, ax_score, ax.figure
        self.lines_ = lines
        return self

    def _curves(self):
        """The curves as float arrays (None where not recorded), and the
        kept epoch, checked against each other."""
        loss = np.asarray(self.loss_curve, dtype=float)
        if loss.ndim != 1 or loss.size == 0:
            raise ValueError(
                "loss_curve must be a non-empty 1-D sequence of losses, one per "
                f"epoch; got shape {loss.shape}."
            )
        curves = [loss]
        for attribute in ("validation_loss_curve", "validation_scores"):
            values = getattr(self, attribute)
            values = None if values is None else np.asarray(values, dtype=float)
            if values is not None and values.size == 0:
                values = None
            if values is not None and values.shape != loss.shape:
                raise ValueError(
                    f"{attribute} has {values.size} entries for {loss.size} "
                    "epochs, so its epochs are unknown: a partial_fit stream "
                    "records validation only in the calls given X_val; give it "
                    "in every call (or in none) to plot the curves."
                )
            curves.append(values)
        best_epoch = self.best_epoch
        if best_epoch is not None and not 1 <= best_epoch <= loss.size:
            raise ValueError(
                f"best_epoch must be an epoch from 1 to {loss.size}; got "
                f"{best_epoch!r}."
            )
        return (*curves, best_epoch)


def _label(what, name):
    """A legend label, with the estimator's name when there is one."""
    return what if name is None else f"{what} ({name})"


# ----------------------------------------------------------------------
# Model summary
# ----------------------------------------------------------------------


class ModelSummary:
    """The layers of a network with their sizes and parameter counts.

    Made by `summary`. Printing it gives an aligned text table; in a
    notebook it renders as an HTML table.

    Parameters
    ----------
    rows : list of dict
        One per layer, input layers first, the output layer last, each with
        the keys described under `rows`.
    name : str, default=None
        Title of the table.

    Attributes
    ----------
    rows : list of dict
        One dict per layer: ``layer`` (the input layer's class name,
        "adapter", "hidden 1", ..., or "output"), ``kind`` ("input",
        "adapter", "hidden" or "output"), ``n_inputs`` and ``n_outputs``
        (its input and output widths, one member's where there are
        several), ``activation`` (a name, or the repr of an activation
        object; None for input layers and adapters), ``dropout`` (the rate of a hidden
        layer, None for the others), ``params`` (a dict of parameter group
        to the number of the layer's parameters in it) and ``n_params``
        (their sum). None also stands for what an unfitted model cannot
        know yet.

    Examples
    --------
    >>> from skprop.inspection import ModelSummary
    >>> rows = [{"layer": "output", "kind": "output", "n_inputs": 3,
    ...          "n_outputs": 1, "activation": "identity", "dropout": None,
    ...          "params": {"weights": 3, "biases": 1}, "n_params": 4}]
    >>> ModelSummary(rows).total_params
    4
    """

    def __init__(self, rows, *, name=None):
        self.rows = rows
        self.name = name

    @property
    def groups(self):
        """list of str: the parameter groups of the rows, in column order."""
        groups = ["weights", "biases"]
        for row in self.rows:
            groups += [group for group in row["params"] if group not in groups]
        return groups

    @property
    def group_totals(self):
        """dict of str to int or None: parameters per group (None where a
        count is unknown)."""
        return {
            group: _total(row["params"].get(group, 0) for row in self.rows)
            for group in self.groups
        }

    @property
    def total_params(self):
        """int or None: the number of parameters (None where unknown)."""
        return _total(row["n_params"] for row in self.rows)

    def _table(self):
        """Header, one list of cells per row, and the total row."""
        groups = self.groups
        header = ["layer", "in", "out", "activation", "dropout"]
        header += [f"{g} params" if g == _MIX_GROUP else g for g in groups]
        header.append("params")
        body = [_cells(row, groups) for row in self.rows]
        totals = self.group_totals
        total = ["total", "", "", "", ""]
        total += [_count(totals[g]) for g in groups] + [_count(self.total_params)]
        return header, body, total

    def __str__(self):
        header, body, total = self._table()
        widths = [
            max(len(cells[i]) for cells in [header, *body, total])
            for i in range(len(header))
        ]

        def line(cells):
            return "  ".join(
                cell.ljust(width) if i in _TEXT_COLUMNS else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(cells, widths))
            ).rstrip()

        rule = "-" * len(line(header))
        lines = [line(header), rule, *map(line, body), rule, line(total)]
        return "\n".join(([self.name] if self.name else []) + lines)

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        header, body, total = self._table()

        def cell(i, text, tag):
            align = "left" if i in _TEXT_COLUMNS else "right"
            return f'<{tag} style="text-align: {align}">{html.escape(text)}</{tag}>'

        def row(cells, tag):
            return (
                "<tr>" + "".join(cell(i, c, tag) for i, c in enumerate(cells)) + "</tr>"
            )

        caption = f"<caption>{html.escape(self.name)}</caption>" if self.name else ""
        return (
            f'<table class="skprop-summary">{caption}'
            f"<thead>{row(header, 'th')}</thead>"
            f"<tbody>{''.join(row(cells, 'td') for cells in body)}</tbody>"
            f"<tfoot>{row(total, 'th')}</tfoot></table>"
        )


def _total(counts):
    """Sum of counts, None if any is None."""
    counts = list(counts)
    return None if None in counts else sum(counts)


def _count(n):
    """A count as text: thousands separated, "?" when unknown."""
    return "?" if n is None else f"{n:,}"


def _cells(row, groups):
    """A row's cells as text: "-" where the layer has no such thing, "?"
    where it is unknown."""
    absent = {
        "activation": row["kind"] in ("input", "adapter"),
        "dropout": row["kind"] != "hidden",
    }

    def text(key, value):
        if value is not None:
            return f"{value:g}" if key == "dropout" else str(value)
        return "-" if absent.get(key) else "?"

    cells = [row["layer"]]
    cells += [text(k, row[k]) for k in ("n_inputs", "n_outputs")]
    cells += [text(k, row[k]) for k in ("activation", "dropout")]
    cells += [_count(row["params"][g]) if g in row["params"] else "" for g in groups]
    return cells + [_count(row["n_params"])]


def summary(estimator, X=None):
    """The layers of a network: sizes, activations and parameter counts.

    Like Keras' ``model.summary()``: one row per layer, the input layers
    (``input_layers``) first, then each dense layer, with its input and
    output widths, activation, dropout rate and number of parameters in
    each parameter group ("weights", "biases", and "scale", "embedding",
    "activation" for the input layers' and parametric activations'
    arrays), and the total. A network of several members (``n_members``)
    has a row for their adapters ("adapter") and counts every member's
    output layer in the output row. A fitted model's counts are those of its
    fitted arrays (`coefs_`, `intercepts_`, `input_params_`,
    `activation_params_`). An unfitted model shows what its parameters
    say; sizes that depend on the data are unknown ("?", None in
    `ModelSummary.rows`) unless `X` is given, and the output layer's until
    it is fitted.

    Parameters
    ----------
    estimator : estimator instance
        A `~skprop.BackpropClassifier` or `~skprop.BackpropRegressor`, or a
        `~sklearn.pipeline.Pipeline` or
        `~sklearn.compose.TransformedTargetRegressor` holding one (the
        tabular recipe included), fitted or not.
    X : {array-like, sparse matrix} of shape (n_samples, n_features), \
            default=None
        Data as the estimator takes it, used only while the network is
        unfitted: the steps in front of the network transform it (those
        not fitted yet are fitted, on a clone, on `X`) to give the
        network's input width and the input layers' sizes.

    Returns
    -------
    summary : ModelSummary
        Printed as an aligned table, shown in notebooks as an HTML table;
        its `rows` and `total_params` give the numbers.

    Notes
    -----
    The dropout column shows the estimator's ``dropout`` parameter;
    dropout applies in training only.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skprop import BackpropClassifier
    >>> from skprop.inspection import summary
    >>> X, y = load_iris(return_X_y=True)
    >>> model = BackpropClassifier((8,), dropout=0.1, max_iter=5, random_state=0)
    >>> summary(model)
    BackpropClassifier, unfitted
    layer     in  out  activation  dropout  weights  biases  params
    ---------------------------------------------------------------
    hidden 1   ?    8  relu            0.1        ?       8       ?
    output     8    ?  ?                 -        ?       ?       ?
    ---------------------------------------------------------------
    total                                         ?       ?       ?
    >>> summary(model.fit(X, y))
    BackpropClassifier, fitted
    layer     in  out  activation  dropout  weights  biases  params
    ---------------------------------------------------------------
    hidden 1   4    8  relu            0.1       32       8      40
    output     8    3  softmax           -       24       3      27
    ---------------------------------------------------------------
    total                                        56      11      67
    >>> summary(model).total_params
    67
    """
    network, heads = _network_of(estimator)
    fitted = hasattr(network, "coefs_")
    if fitted:
        rows = _fitted_rows(network)
    else:
        rows = _unfitted_rows(network, None if X is None else _through(heads, X))
    name = type(network).__name__
    if network is not estimator:
        name += f" in {type(estimator).__name__}"
    name += f", {'fitted' if fitted else 'unfitted'}"
    n_members = _model.fitted_members(network) if fitted else network.n_members
    if n_members > 1:
        name += f", {n_members} members"
    return ModelSummary(rows, name=name)


def _through(heads, X):
    """`X` as the network receives it, through the steps in front of it."""
    for head in heads:
        if len(head) == 0:
            continue
        try:
            X = head.transform(X)
        except NotFittedError:
            X = clone(head).fit_transform(X)
    return check_array(X, accept_sparse=["csr", "csc"], dtype="numeric")


def _row(layer, kind, n_inputs, n_outputs, activation, dropout, params):
    """One row of a summary."""
    return dict(
        layer=layer,
        kind=kind,
        n_inputs=n_inputs,
        n_outputs=n_outputs,
        activation=activation,
        dropout=dropout,
        params=params,
        n_params=_total(params.values()),
    )


def _size(array):
    """Number of elements (``size`` is a method for some Array API
    libraries)."""
    return math.prod(array.shape)


def _group_counts(groups, sizes):
    """Parameters per group, in the order the groups first appear."""
    counts = {}
    for group, size in zip(groups, sizes):
        counts[group] = counts.get(group, 0) + size
    return counts


def _activation_name(activation):
    """An activation's registry name when it is that name's default object,
    else its repr."""
    for name, cls in _activations._REGISTRY.items():
        if type(activation) is cls and repr(activation) == repr(cls()):
            return name
    return repr(activation)


def _dropout(network, n_hidden):
    """The dropout rate of each hidden layer (None where the estimator's
    `dropout` no longer fits the network)."""
    try:
        return dropout_rates(network.dropout, n_hidden)
    except ValueError:
        return [None] * n_hidden


def _fitted_rows(network):
    """Rows of a fitted network, counted from its fitted arrays: each
    layer's arrays in the groups its `parameters` declares."""
    counts = [
        _group_counts([group for *_, group in layer.parameters()], map(_size, arrays))
        for layer, arrays in zip(_model.layers(network), _model.layer_arrays(network))
    ]
    parts = getattr(network, "_fitted_input_parts", [])
    front = getattr(network, "_fitted_input_layers", [])
    rows = [_input_row(*row) for row in zip(parts, front, counts)]
    adapters = getattr(network, "adapters_", [])
    for scale, params in zip(adapters, counts[len(front) :]):
        rows.append(_adapter_row(scale.shape[1], params))
    n_hidden = len(network.coefs_) - 1
    activations = [_activation_name(a) for a in network._fitted_activations]
    activations.append(network.out_activation_)
    dropout = [*_dropout(network, n_hidden), None]
    dense_counts = counts[len(front) + len(adapters) :]
    dense = zip(network.coefs_, activations, dropout, dense_counts)
    for i, (coef, activation, rate, params) in enumerate(dense):
        # One member's widths: the members' heads are (n_members, in, out).
        shape = coef.shape[-2:]
        rows.append(_dense_row(i, n_hidden, shape, activation, rate, params))
    return rows


def _unfitted_rows(network, X):
    """Rows of an unfitted network, from its parameters and, where given,
    the network's input `X`."""
    parts = check_parts(network)
    rows, n_inputs = [], None
    if X is None:
        for part in parts["input_layers"]:
            rows.append(_input_row(part, None, {part.group()["name"]: None}))
    else:
        n_inputs = X.shape[1]
        for part, layer in zip(
            parts["input_layers"], input_layers(parts["input_layers"], X)
        ):
            shapes = layer.parameters()
            counts = _group_counts(
                [group for _, _, group in shapes],
                [math.prod(shape) for _, shape, _ in shapes],
            )
            rows.append(_input_row(part, layer, counts))
            n_inputs = layer.n_units
    k = parts["n_members"]
    if k > 1:
        count = None if n_inputs is None else k * n_inputs
        rows.append(_adapter_row(n_inputs, {"adapter": count}))
    units = [n_inputs, *parts["hidden"], None]
    n_hidden = len(parts["hidden"])
    for i, (n_in, n_out) in enumerate(zip(units[:-1], units[1:])):
        weights = None if None in (n_in, n_out) else n_in * n_out
        params = {"weights": weights, "biases": n_out}
        if i == n_hidden:
            rows.append(_dense_row(i, n_hidden, (n_in, n_out), None, None, params))
            continue
        activation = parts["activations"][i]
        if getattr(activation, "parametric", False):
            params[_MIX_GROUP] = n_out
        rows.append(
            _dense_row(
                i,
                n_hidden,
                (n_in, n_out),
                _activation_name(activation),
                parts["dropout"][i],
                params,
            )
        )
    return rows


def _input_row(part, layer, params):
    """The row of an input layer (`layer` None: its sizes are unknown)."""
    n_inputs, n_outputs = (
        (None, None) if layer is None else (layer.n_inputs, layer.n_units)
    )
    return _row(type(part).__name__, "input", n_inputs, n_outputs, None, None, params)


def _adapter_row(n_inputs, params):
    """The row of the members' adapters on `n_inputs` columns."""
    return _row("adapter", "adapter", n_inputs, n_inputs, None, None, params)


def _dense_row(i, n_hidden, shape, activation, dropout, params):
    """The row of dense layer `i` (of `n_hidden` hidden ones and the output
    layer), whose weights have `shape`."""
    hidden = i < n_hidden
    return _row(
        f"hidden {i + 1}" if hidden else "output",
        "hidden" if hidden else "output",
        *shape,
        activation,
        dropout,
        params,
    )
