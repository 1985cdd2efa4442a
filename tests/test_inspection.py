import doctest
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skprop import BackpropClassifier, BackpropRegressor, inspection
from skprop.activations import Parametric
from skprop.callbacks import EarlyStopping
from skprop.inspection import ModelSummary, TrainingCurveDisplay, summary
from skprop.layers import FeatureScale, PeriodicEmbedding
from skprop.tabular import make_classifier, make_regressor

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    """Noisy labels, on which every stopping rule below stops before its
    last epoch or keeps an earlier one."""
    X, y = make_classification(120, 6, flip_y=0.3, random_state=0)
    return X[:80], y[:80], X[80:], y[80:]


def _model(**params):
    return BackpropClassifier((8,), learning_rate=0.1, random_state=0, **params)


def _stream(X, y, n_calls, **validation):
    model = _model(early_stopping=bool(validation), n_iter_no_change=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for _ in range(n_calls):
            model.partial_fit(X, y, classes=[0, 1], **validation)
            if model.early_stopped_:
                break
    return model


def _fit(rule, data):
    """A model fitted under stopping rule `rule`."""
    X, y, X_val, y_val = data
    if rule == "none":
        return _model(max_iter=12).fit(X, y)
    if rule == "early_stopping":
        return _model(max_iter=20, early_stopping=True, n_iter_no_change=3).fit(X, y)
    if rule == "last_best":
        return _model(max_iter=20, early_stopping="last_best").fit(X, y)
    if rule == "callback":
        model = _model(max_iter=20, callbacks=[EarlyStopping(patience=2)])
        return model.fit(X, y, X_val=X_val, y_val=y_val)
    if rule == "lbfgs":
        return _model(max_iter=15, optimizer="lbfgs").fit(
            X, y, X_val=X_val, y_val=y_val
        )
    if rule == "stream":
        return _stream(X, y, 5)
    return _stream(X, y, 20, X_val=X_val, y_val=y_val)


RULES = ["none", "early_stopping", "last_best", "callback", "lbfgs", "stream"]
# Rules whose kept epoch is not the last one on this data.
EARLIER = ["early_stopping", "last_best", "callback", "stream_validation"]


@pytest.mark.parametrize("rule", [*RULES, "stream_validation"])
def test_curves_and_kept_epoch_for_each_stopping_rule(rule, data):
    model = _fit(rule, data)
    display = TrainingCurveDisplay.from_estimator(model)
    n_epochs = len(model.loss_curve_)
    epochs = np.arange(1, n_epochs + 1)
    if rule in EARLIER:
        assert model.best_epoch_ < n_epochs
    else:
        assert model.best_epoch_ == n_epochs
    lines = display.lines_
    assert_array_equal(lines["loss"].get_xdata(), epochs)
    assert_array_equal(lines["loss"].get_ydata(), model.loss_curve_)
    assert_array_equal(lines["best_epoch"].get_xdata(), [model.best_epoch_] * 2)
    assert display.best_epoch == model.best_epoch_
    top = display.ax_ if display.ax_score_ is None else display.ax_score_
    labels = [text.get_text() for text in top.get_legend().get_texts()]
    assert f"Kept epoch ({model.best_epoch_})" in labels
    if model.validation_scores_:
        assert_array_equal(lines["validation_score"].get_xdata(), epochs)
        assert_array_equal(
            lines["validation_score"].get_ydata(), model.validation_scores_
        )
        assert_array_equal(
            lines["validation_loss"].get_ydata(), model.validation_loss_curve_
        )
        assert lines["validation_score"].axes is display.ax_score_
        assert lines["validation_loss"].axes is display.ax_
    else:
        assert lines["validation_score"] is None
        assert lines["validation_loss"] is None
        assert display.ax_score_ is None


def test_streams_record_validation_each_call(data):
    X, y, X_val, y_val = data
    model = _model()
    for _ in range(3):
        model.partial_fit(X, y, classes=[0, 1], X_val=X_val, y_val=y_val)
    display = TrainingCurveDisplay.from_estimator(model)
    assert_array_equal(display.lines_["validation_score"].get_xdata(), [1, 2, 3])
    assert display.lines_["best_epoch"].get_xdata()[0] == 3


def test_validation_in_some_stream_calls_only_is_refused(data):
    X, y, X_val, y_val = data
    model = _model()
    model.partial_fit(X, y, classes=[0, 1])
    model.partial_fit(X, y, X_val=X_val, y_val=y_val)
    with pytest.raises(ValueError, match="1 entries for 2 epochs"):
        TrainingCurveDisplay.from_estimator(model)


def test_log_scale_on_request(data):
    model = _fit("early_stopping", data)
    assert TrainingCurveDisplay.from_estimator(model).ax_.get_yscale() == "linear"
    display = TrainingCurveDisplay.from_estimator(model, log_scale=True)
    assert display.ax_.get_yscale() == "log"
    display = TrainingCurveDisplay([1.0, 0.0, -0.5]).plot(log_scale=True)
    assert display.ax_.get_yscale() == "symlog"


def test_given_axes_are_used(data):
    figure, ax = plt.subplots()
    display = TrainingCurveDisplay.from_estimator(_fit("none", data), ax=ax)
    assert display.ax_ is ax
    assert display.figure_ is figure
    assert display.lines_["loss"] in ax.get_lines()
    assert len(plt.get_fignums()) == 1


def test_new_axes_without_ax(data):
    display = TrainingCurveDisplay.from_estimator(_fit("none", data))
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.ax_.get_ylabel() == "Loss"


def test_constructor_without_estimator():
    display = TrainingCurveDisplay(
        [3.0, 2.0, 1.5],
        validation_loss_curve=[],
        validation_scores=[0.5, 0.7, 0.6],
        best_epoch=2,
        estimator_name="mine",
        score_name="Validation F1",
    )
    assert display.plot() is display
    assert_array_equal(display.lines_["loss"].get_ydata(), [3.0, 2.0, 1.5])
    assert display.lines_["validation_loss"] is None
    assert_array_equal(display.lines_["validation_score"].get_ydata(), [0.5, 0.7, 0.6])
    assert display.ax_score_.get_ylabel() == "Validation F1"
    assert display.lines_["loss"].get_label() == "Training loss (mine)"
    assert display.lines_["best_epoch"].get_xdata()[0] == 2
    plain = TrainingCurveDisplay([1.0, 0.5]).plot(name="other")
    assert plain.lines_["best_epoch"] is None
    assert plain.lines_["loss"].get_label() == "Training loss (other)"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(loss_curve=[]), "non-empty"),
        (dict(loss_curve=[1.0, 0.5], validation_scores=[0.1]), "1 entries for 2"),
        (dict(loss_curve=[1.0, 0.5], best_epoch=0), "from 1 to 2"),
        (dict(loss_curve=[1.0, 0.5], best_epoch=3), "from 1 to 2"),
    ],
)
def test_constructor_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainingCurveDisplay(**kwargs).plot()


def test_unfitted_and_foreign_estimators():
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(BackpropClassifier())
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(make_regressor())
    with pytest.raises(TypeError, match="holds no BackpropClassifier"):
        TrainingCurveDisplay.from_estimator(LogisticRegression())


def test_missing_loss_curve_is_named(data):
    model = _fit("none", data)
    del model.loss_curve_
    with pytest.raises(ValueError, match="loss_curve_ is missing"):
        TrainingCurveDisplay.from_estimator(model)


def test_through_pipeline_and_target_transformer(data):
    X, y, _, _ = data
    pipeline = make_pipeline(StandardScaler(), _model(max_iter=5)).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(pipeline)
    assert_array_equal(display.lines_["loss"].get_ydata(), pipeline[-1].loss_curve_)
    assert display.estimator_name == "Pipeline"
    wrapped = TransformedTargetRegressor(
        BackpropRegressor((4,), max_iter=4, random_state=0)
    ).fit(X, X[:, 0])
    display = TrainingCurveDisplay.from_estimator(wrapped, name="net")
    assert_array_equal(
        display.lines_["loss"].get_ydata(), wrapped.regressor_.loss_curve_
    )
    assert display.ax_score_ is None
    assert display.lines_["loss"].get_label() == "Training loss (net)"


def test_matplotlib_missing_names_the_extra(monkeypatch, data):
    model = _fit("none", data)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install skprop\[plot\]"):
        TrainingCurveDisplay.from_estimator(model)
    with pytest.raises(ImportError, match=r"pip install skprop\[plot\]"):
        TrainingCurveDisplay([1.0]).plot()


def test_import_does_not_import_matplotlib():
    code = "import sys, skprop.inspection; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# ----------------------------------------------------------------------
# summary
# ----------------------------------------------------------------------


def _n_params(model):
    """Size of the model's flat parameter vector, from its fitted arrays."""
    arrays = [*model.coefs_, *model.intercepts_]
    arrays += [a for layer in model.input_params_ for a in layer]
    arrays += [a for a in model.activation_params_ if a is not None]
    return sum(a.size for a in arrays)


@pytest.fixture(scope="module")
def rich_model(data):
    X, y, _, _ = data
    model = BackpropClassifier(
        (5, 3),
        activation=[Parametric("gelu"), "tanh"],
        input_layers=[PeriodicEmbedding(n_frequencies=3, n_outputs=2), FeatureScale()],
        dropout=[0.1, 0.0],
        max_iter=3,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, np.eye(3)[y + (X[:, 0] > 1)])


def test_fitted_counts_are_the_arrays(rich_model):
    model = rich_model
    result = summary(model)
    rows = result.rows
    assert [row["layer"] for row in rows] == [
        "PeriodicEmbedding",
        "FeatureScale",
        "hidden 1",
        "hidden 2",
        "output",
    ]
    assert result.total_params == _n_params(model)
    assert sum(row["n_params"] for row in rows) == _n_params(model)
    embedding, scale = model.input_params_
    assert rows[0]["params"] == {"embedding": sum(a.size for a in embedding)}
    assert rows[1]["params"] == {"scale": scale[0].size}
    for row, coef, intercept in zip(rows[2:], model.coefs_, model.intercepts_):
        assert (row["n_inputs"], row["n_outputs"]) == coef.shape
        assert row["params"]["weights"] == coef.size
        assert row["params"]["biases"] == intercept.size
    assert rows[2]["params"]["activation"] == model.activation_params_[0].size
    assert "activation" not in rows[3]["params"]
    assert rows[0]["n_inputs"] == model.n_features_in_
    assert rows[1]["n_outputs"] == model.coefs_[0].shape[0]
    assert rows[-1]["n_outputs"] == model.n_outputs_
    assert [row["activation"] for row in rows] == [
        None,
        None,
        "Parametric(activation='gelu')",
        "tanh",
        model.out_activation_,
    ]
    assert [row["dropout"] for row in rows] == [None, None, 0.1, 0.0, None]
    assert result.group_totals == {
        "weights": sum(c.size for c in model.coefs_),
        "biases": sum(b.size for b in model.intercepts_),
        "embedding": rows[0]["n_params"],
        "scale": rows[1]["n_params"],
        "activation": rows[2]["params"]["activation"],
    }


def test_text_has_a_line_per_row(rich_model):
    result = summary(rich_model)
    lines = str(result).splitlines()
    assert lines[0] == "BackpropClassifier, fitted"
    for row in result.rows:
        (line,) = [line for line in lines if line.startswith(row["layer"] + " ")]
        cells = line.split()
        assert cells[-1] == f"{row['n_params']:,}"
        for count in row["params"].values():
            assert f"{count:,}" in cells
        assert str(row["n_inputs"]) in cells and str(row["n_outputs"]) in cells
    (total,) = [line for line in lines if line.startswith("total")]
    assert total.split()[-1] == f"{result.total_params:,}"
    header = lines[1].split()
    assert header[:5] == ["layer", "in", "out", "activation", "dropout"]
    assert repr(result) == str(result)
    # Aligned: every row of the table is as wide as the header or narrower,
    # and the numbers end in one column.
    assert len({len(line) for line in lines[1:] if not line.startswith("-")}) == 1


def test_html_is_a_table(rich_model):
    result = summary(rich_model)
    page = result._repr_html_()
    table = ET.fromstring(page)
    assert table.tag == "table"
    assert table.find("caption").text == "BackpropClassifier, fitted"
    body = table.find("tbody").findall("tr")
    assert len(body) == len(result.rows)
    for tr, row in zip(body, result.rows):
        cells = [td.text for td in tr]
        assert cells[0] == row["layer"]
        assert cells[-1] == f"{row['n_params']:,}"
    footer = [th.text for th in table.find("tfoot").find("tr")]
    assert footer[-1] == f"{result.total_params:,}"


def test_unfitted_shows_question_marks(data):
    X = data[0]
    model = BackpropRegressor((7, 4), input_layers=[FeatureScale()], dropout=0.2)
    result = summary(model)
    rows = result.rows
    assert rows[0]["n_inputs"] is None and rows[0]["params"] == {"scale": None}
    assert (rows[1]["n_inputs"], rows[1]["n_outputs"]) == (None, 7)
    assert rows[1]["params"] == {"weights": None, "biases": 7}
    assert rows[2]["params"] == {"weights": 28, "biases": 4}
    assert rows[2]["dropout"] == 0.2
    assert rows[-1]["n_outputs"] is None and rows[-1]["activation"] is None
    assert result.total_params is None
    text = str(result)
    assert text.splitlines()[0] == "BackpropRegressor, unfitted"
    (output,) = [line for line in text.splitlines() if line.startswith("output")]
    assert output.split() == ["output", "4", "?", "?", "-", "?", "?", "?"]
    (first,) = [line for line in text.splitlines() if line.startswith("hidden 1")]
    assert first.split() == ["hidden", "1", "?", "7", "relu", "0.2", "?", "7", "?"]
    (total,) = [line for line in text.splitlines() if line.startswith("total")]
    assert total.split()[-1] == "?"
    known = summary(model, X).rows
    assert known[0]["n_inputs"] == known[0]["n_outputs"] == X.shape[1]
    assert known[0]["params"] == {"scale": X.shape[1]}
    assert known[1]["params"] == {"weights": 7 * X.shape[1], "biases": 7}


def test_unfitted_counts_match_fitted_ones(rich_model, data):
    X = data[0]
    fitted = summary(rich_model).rows
    unfitted = summary(BackpropClassifier(**rich_model.get_params()), X).rows
    for before, after in zip(unfitted[:-1], fitted[:-1]):
        assert before == after


def test_members_have_an_adapter_row_and_every_head(data):
    X, y, _, _ = data
    model = BackpropClassifier(
        (5,), n_members=4, input_layers=[FeatureScale()], max_iter=2, random_state=0
    )
    assert summary(model).name == "BackpropClassifier, unfitted, 4 members"
    unfitted = summary(model, X).rows
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = summary(model.fit(X, y))
    rows = result.rows
    assert [row["layer"] for row in rows] == [
        "FeatureScale",
        "adapter",
        "hidden 1",
        "output",
    ]
    assert rows[1]["params"] == {"adapter": 4 * X.shape[1]}
    assert rows[1]["activation"] is None
    assert (rows[3]["n_inputs"], rows[3]["n_outputs"]) == (5, 1)
    assert rows[3]["params"] == {"weights": 4 * 5, "biases": 4}
    assert result.total_params == _n_params(model) + model.adapters_[0].size
    assert unfitted[:-1] == rows[:-1]
    assert "adapter" in str(result)


def test_through_pipeline(data):
    X, y, _, _ = data
    pipeline = make_pipeline(StandardScaler(), BackpropClassifier((4,), max_iter=3))
    unfitted = summary(pipeline, X)
    assert unfitted.name == "BackpropClassifier in Pipeline, unfitted"
    assert unfitted.rows[0]["n_inputs"] == X.shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline.fit(X, y)
    result = summary(pipeline)
    assert result.name == "BackpropClassifier in Pipeline, fitted"
    assert result.total_params == _n_params(pipeline[-1])


def test_through_the_tabular_recipe():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "size": rng.normal(size=40),
            "weight": rng.normal(size=40),
            "colour": pd.Categorical(rng.choice(["red", "blue", "green"], 40)),
        }
    )
    y = rng.choice(["a", "b"], 40)
    recipe = make_classifier(net__max_iter=2, random_state=0)
    before = summary(recipe, X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        recipe.fit(X, y)
    network = recipe.named_steps["net"]
    result = summary(recipe)
    width = recipe[:-1].transform(X).shape[1]
    assert width == 5
    assert result.rows[0]["layer"] == "PeriodicEmbedding"
    assert result.rows[0]["n_inputs"] == width == network.n_features_in_
    assert result.total_params == _n_params(network)
    assert before.rows[:-1] == result.rows[:-1]
    assert "BackpropClassifier in TabularPipeline" in str(result)
    regressor = make_regressor(net__regressor__max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        regressor.fit(X, rng.normal(size=40))
    network = regressor.named_steps["net"].regressor_
    assert summary(regressor).total_params == _n_params(network)


def test_default_activation_names_and_foreign_estimators():
    rows = summary(BackpropClassifier((3, 2), activation=["gelu", "tanh"])).rows
    assert [row["activation"] for row in rows[:2]] == ["gelu", "tanh"]
    with pytest.raises(TypeError, match="holds no BackpropClassifier"):
        summary(LogisticRegression())


def test_model_summary_from_rows():
    row = dict(
        layer="output",
        kind="output",
        n_inputs=2,
        n_outputs=1,
        activation="identity",
        dropout=None,
        params={"weights": 2, "biases": 1},
        n_params=3,
    )
    result = ModelSummary([row], name="mine")
    assert result.total_params == 3
    assert result.groups == ["weights", "biases"]
    assert str(result).splitlines()[0] == "mine"


def test_docstring_examples():
    assert doctest.testmod(inspection).failed == 0
