"""skprop's callbacks and scikit-learn's callback framework."""

import os
import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skprop import BackpropClassifier
from skprop.callbacks import Callback, Checkpoint, EarlyStopping, History, ProgressBar


def data():
    X, y = make_classification(n_samples=300, n_features=8, random_state=0)
    return X[:200], y[:200], X[200:], y[200:]


class WeightRecorder(Callback):
    """Keeps a copy of the first layer's weights after every epoch."""

    def __call__(self, estimator, record):
        if not hasattr(self, "weights_"):
            self.weights_ = {}
        self.weights_[record["epoch"]] = estimator.coefs_[0].copy()
        return False


@pytest.mark.parametrize("optimizer", ["adam", "lbfgs"])
def test_early_stopping_callback_restores_the_best_epoch(optimizer):
    X, y, X_val, y_val = data()
    history, recorder = History(), WeightRecorder()
    stopper = EarlyStopping(monitor="val_loss", patience=3)
    model = BackpropClassifier(
        hidden_layer_sizes=(64,),
        optimizer=optimizer,
        learning_rate=0.05,
        max_iter=300,
        random_state=0,
        callbacks=[history, recorder, stopper],
    )
    model.fit(X, y, X_val=X_val, y_val=y_val)
    losses = [r["val_loss"] for r in history.records_]
    assert stopper.stopped_epoch_ == len(losses) < 300
    assert stopper.best_epoch_ == int(np.argmin(losses)) + 1
    assert len(losses) - stopper.best_epoch_ == 3
    # The restored weights are the best epoch's, and score as it did; L-BFGS
    # does not overwrite them with its last iterate.
    assert_array_equal(model.coefs_[0], recorder.weights_[stopper.best_epoch_])
    best_score = history.records_[stopper.best_epoch_ - 1]["val_score"]
    assert model.score(X_val, y_val) == pytest.approx(best_score)


def test_early_stopping_without_validation_data_says_what_is_missing():
    X, y, _, _ = data()
    model = BackpropClassifier(max_iter=3, callbacks=[EarlyStopping()])
    with pytest.raises(ValueError, match="X_val"):
        model.fit(X, y)


def test_history_resets_on_a_new_fit():
    X, y, _, _ = data()
    history = History()
    model = BackpropClassifier(hidden_layer_sizes=(4,), max_iter=3, callbacks=[history])
    model.fit(X, y)
    model.fit(X, y)
    assert [r["epoch"] for r in history.records_] == [1, 2, 3]


def test_checkpoint_writes_the_best_model_atomically(tmp_path):
    X, y, X_val, y_val = data()
    path = tmp_path / "best.pkl"
    checkpoint = Checkpoint(path=str(path), monitor="val_score")
    history = History()
    model = BackpropClassifier(
        hidden_layer_sizes=(16,),
        max_iter=15,
        random_state=0,
        callbacks=[history, checkpoint],
    )
    model.fit(X, y, X_val=X_val, y_val=y_val)
    assert os.listdir(tmp_path) == ["best.pkl"]
    with open(path, "rb") as file:
        best = pickle.load(file)
    best_score = max(r["val_score"] for r in history.records_)
    assert best.score(X_val, y_val) == pytest.approx(best_score)


def test_progress_bar_plain_lines_without_rich(capsys, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_rich(name, *args, **kwargs):
        if name.startswith("rich"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_rich)
    X, y, _, _ = data()
    BackpropClassifier(
        hidden_layer_sizes=(4,), max_iter=3, callbacks=[ProgressBar()]
    ).fit(X, y)
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["epoch 1", "epoch 2", "epoch 3"]


def test_callbacks_clone_and_pickle():
    model = BackpropClassifier(callbacks=[History(), EarlyStopping(patience=2)])
    cloned = clone(model)
    assert cloned.callbacks[1].patience == 2
    assert pickle.loads(pickle.dumps(model)).callbacks[1].patience == 2


@pytest.fixture
def sklearn_callback():
    # Only these tests need the framework: the ones above run on any version.
    return pytest.importorskip(
        "sklearn.callback", reason="scikit-learn's callback framework needs >= 1.9"
    )


def test_sklearn_scoring_monitor_sees_every_epoch(sklearn_callback):
    X, y, _, _ = data()
    monitor = sklearn_callback.ScoringMonitor(scoring="accuracy")
    model = BackpropClassifier(
        hidden_layer_sizes=(16,), max_iter=5, learning_rate=0.05, random_state=0
    )
    model.set_callbacks(monitor).fit(X, y)
    logs = monitor.get_logs().data
    epochs = [row for row in logs if row["task_name"] == "epoch"]
    assert len(epochs) == 5
    assert epochs[-1]["accuracy"] == pytest.approx(model.score(X, y))
    assert epochs[0]["accuracy"] != epochs[-1]["accuracy"]


def test_sklearn_progress_bar_inside_grid_search_and_pipeline(capsys, sklearn_callback):
    pytest.importorskip("rich", reason="scikit-learn's ProgressBar needs rich")
    X, y, _, _ = data()
    pipeline = make_pipeline(
        StandardScaler(), BackpropClassifier(hidden_layer_sizes=(4,), max_iter=3)
    )
    search = GridSearchCV(pipeline, {"backpropclassifier__alpha": [1e-4, 1e-2]}, cv=2)
    search.set_callbacks(sklearn_callback.ProgressBar())
    search.fit(X, y)
    assert_array_equal(search.predict(X).shape, y.shape)
    plain = BackpropClassifier(hidden_layer_sizes=(4,), max_iter=3)
    plain.set_callbacks(sklearn_callback.ProgressBar()).fit(X, y)
    assert plain.n_iter_ == 3
    shown = capsys.readouterr()
    assert "GridSearchCV - fit" in shown.out + shown.err
    assert "BackpropClassifier - fit" in shown.out + shown.err


def test_progress_bar_draws_with_rich_and_closes_when_the_fit_ends(capsys):
    pytest.importorskip("rich", reason="the bar is drawn with rich")
    X, y, _, _ = data()
    bar = ProgressBar()
    model = BackpropClassifier(hidden_layer_sizes=(4,), max_iter=3, callbacks=[bar])
    model.fit(X, y)
    assert bar._bar is None
    err = capsys.readouterr().err
    assert "epoch 3 loss=" in err
    # A fit stopped by an error closes its bar too.
    with pytest.raises(ValueError):
        model.fit(X, y[:-1])
    assert bar._bar is None


def test_progress_bar_names_its_dependency():
    assert "rich" in ProgressBar.__doc__ and "skprop[progress]" in ProgressBar.__doc__


def test_on_train_end_is_called_once_per_fit_and_partial_fit():
    class Ends(Callback):
        def __call__(self, estimator, record):
            return False

        def on_train_end(self, estimator):
            self.ends_ = getattr(self, "ends_", 0) + 1

    X, y, _, _ = data()
    ends = Ends()
    model = BackpropClassifier(hidden_layer_sizes=(4,), max_iter=3, callbacks=[ends])
    model.fit(X, y)
    assert ends.ends_ == 1
    model.partial_fit(X, y)
    model.partial_fit(X, y)
    assert ends.ends_ == 3


@pytest.mark.parametrize("restore", [True, False])
def test_best_epoch_follows_the_early_stopping_callback(restore):
    X, y, X_val, y_val = data()
    stopper = EarlyStopping(patience=3, restore_best_weights=restore)
    model = BackpropClassifier(
        hidden_layer_sizes=(16,),
        learning_rate=0.05,
        max_iter=200,
        random_state=0,
        callbacks=[stopper],
    ).fit(X, y, X_val=X_val, y_val=y_val)
    assert stopper.stopped_epoch_ == model.n_iter_ < 200
    expected = stopper.best_epoch_ if restore else model.n_iter_
    assert model.best_epoch_ == expected
    if restore:
        assert model.best_epoch_ == np.argmin(model.validation_loss_curve_) + 1


def test_early_stopping_callback_restores_every_weight():
    # Input layers and parametric activations train too: restoring only
    # coefs_ and intercepts_ would leave a network that never existed.
    from skprop.activations import Parametric
    from skprop.callbacks import snapshot_weights
    from skprop.layers import FeatureScale, PeriodicEmbedding

    class Recorder(Callback):
        def __call__(self, estimator, record):
            if not hasattr(self, "weights_"):
                self.weights_ = {}
            self.weights_[record["epoch"]] = snapshot_weights(estimator)

    X, y, X_val, y_val = data()
    recorder = Recorder()
    stopper = EarlyStopping(patience=3, restore_best_weights=True)
    model = BackpropClassifier(
        hidden_layer_sizes=(16,),
        activation=Parametric("tanh"),
        input_layers=[PeriodicEmbedding(n_frequencies=4), FeatureScale()],
        learning_rate=0.05,
        max_iter=200,
        random_state=0,
        callbacks=[recorder, stopper],
    ).fit(X, y, X_val=X_val, y_val=y_val)
    assert stopper.best_epoch_ < model.n_iter_ < 200
    best = recorder.weights_[stopper.best_epoch_]
    last = recorder.weights_[model.n_iter_]
    for name in ["coefs_", "intercepts_", "input_params_", "activation_params_"]:
        current = snapshot_weights(model)[name]
        flat = [np.ravel(a) for a in _flatten(current)]
        assert flat, name
        for got, want, stale in zip(flat, _flatten(best[name]), _flatten(last[name])):
            assert_array_equal(got, np.ravel(want))
            assert not np.array_equal(np.ravel(want), np.ravel(stale)), name


def _flatten(arrays):
    for a in arrays:
        if isinstance(a, list):
            yield from _flatten(a)
        elif a is not None:
            yield a
