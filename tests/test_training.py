"""Training beyond MLP: dropout, gradient clipping, class weights,
validation data, early stopping in a stream, curves, interruption."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skprop import BackpropClassifier, BackpropRegressor, _model
from skprop._epoch import Batches
from skprop._network import predict_raw
from skprop._numeric import clip_global_norm
from skprop.callbacks import History


def data(n_samples=400, seed=0, weights=None):
    return make_classification(
        n_samples=n_samples,
        n_features=10,
        n_informative=6,
        n_classes=2,
        weights=weights,
        random_state=seed,
    )


def test_dropout_changes_training_not_prediction_and_is_reproducible():
    X, y = data()
    settings = dict(hidden_layer_sizes=(32,), random_state=0, max_iter=20)
    plain = BackpropClassifier(**settings).fit(X, y)
    dropped = [BackpropClassifier(dropout=0.5, **settings).fit(X, y) for _ in range(2)]
    assert not np.allclose(plain.coefs_[0], dropped[0].coefs_[0])
    assert_array_equal(dropped[0].coefs_[0], dropped[1].coefs_[0])
    # Prediction uses every unit: the plain forward pass of the trained weights.
    model = dropped[0]
    raw = predict_raw(X, _model.layers(model), _model.layer_arrays(model))
    assert_allclose(model.predict_proba(X)[:, 1], expit(raw[:, 0]), rtol=1e-12)
    per_layer = BackpropClassifier(
        hidden_layer_sizes=(8, 8), dropout=[0.0, 0.3], max_iter=3
    ).fit(X, y)
    assert per_layer.predict(X).shape == y.shape


@pytest.mark.parametrize("shuffled", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compact_targets_reach_the_loss_in_the_network_dtype(shuffled, dtype):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((23, 3)).astype(dtype)
    Y = np.eye(4, dtype=np.uint8)[rng.randint(4, size=23)]
    order = rng.permutation(23) if shuffled else None
    compact = Batches(X, Y, None, 5, np.dtype(dtype))(order)
    wide = Batches(X, Y.astype(dtype), None, 5, np.dtype(dtype))(order)
    # Batches share buffers, so each pair is compared before the next one.
    n_batches = 0
    for (X_c, y_c, _), (X_w, y_w, _) in zip(compact, wide, strict=True):
        assert y_c.dtype == dtype
        assert_array_equal(y_c, y_w)
        assert_array_equal(X_c, X_w)
        n_batches += 1
    assert n_batches == 5


def test_classifier_training_targets_are_stored_compactly():
    X, y = data(n_samples=50)
    model = BackpropClassifier(max_iter=1)
    _, Y, _ = model._validate_training_data(X, y, False, True)
    assert Y.dtype == np.uint8
    assert_array_equal(Y[:, 0], y == model.classes_[1])


def test_clip_global_norm():
    grad = np.array([3.0, 4.0])
    assert clip_global_norm(grad, 1.0) == 5.0
    assert_allclose(grad, [0.6, 0.8])
    grad = np.array([0.3, 0.4])
    clip_global_norm(grad, 1.0)
    assert_allclose(grad, [0.3, 0.4])


def test_clipping_bounds_every_step():
    X, y = data()
    X = X * 1000.0
    steps = []

    def record(estimator, record):
        steps.append(np.concatenate([c.ravel() for c in estimator.coefs_]))

    BackpropClassifier(
        hidden_layer_sizes=(4,),
        optimizer="sgd",
        learning_rate=0.1,
        batch_size=400,
        clip_grad_norm=0.5,
        max_iter=5,
        callbacks=[record],
        random_state=0,
    ).fit(X, y)
    # One full-batch SGD step with momentum 0.9 and Nesterov moves the weights
    # by at most (0.9 * v + lr * g) with |g| <= 0.5 and |v| <= lr * 0.5 / 0.1.
    moves = np.linalg.norm(np.diff(steps, axis=0), axis=1)
    assert (moves <= 0.1 * 0.5 * (1 + 0.9 * 10) + 1e-9).all()


def test_class_weight_shifts_predictions_toward_the_weighted_class():
    X, y = data(weights=[0.8, 0.2])
    settings = dict(hidden_layer_sizes=(8,), random_state=0, max_iter=50)
    plain = BackpropClassifier(**settings).fit(X, y)
    weighted = BackpropClassifier(class_weight={0: 1.0, 1: 10.0}, **settings).fit(X, y)
    balanced = BackpropClassifier(class_weight="balanced", **settings).fit(X, y)
    assert (weighted.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()
    assert (balanced.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()


def test_class_weight_multiplies_sample_weight():
    X, y = data(n_samples=80)
    settings = dict(
        hidden_layer_sizes=(4,), optimizer="lbfgs", random_state=0, max_iter=30
    )
    sample_weight = np.linspace(0.5, 1.5, 80)
    combined = BackpropClassifier(class_weight={0: 2.0, 1: 1.0}, **settings).fit(
        X, y, sample_weight=sample_weight
    )
    manual = BackpropClassifier(**settings).fit(
        X, y, sample_weight=sample_weight * np.where(y == 0, 2.0, 1.0)
    )
    assert_allclose(combined.coefs_[0], manual.coefs_[0])


def test_explicit_validation_set_curves_and_early_stopping():
    X, y = data(n_samples=600)
    model = BackpropClassifier(
        hidden_layer_sizes=(16,), random_state=0, max_iter=30, learning_rate=0.01
    )
    model.fit(X[:400], y[:400], X_val=X[400:], y_val=y[400:])
    assert len(model.validation_loss_curve_) == len(model.loss_curve_) == 30
    assert len(model.validation_scores_) == 30
    assert model.validation_scores_[-1] == pytest.approx(model.score(X[400:], y[400:]))
    stopping = BackpropClassifier(
        hidden_layer_sizes=(64,),
        random_state=0,
        learning_rate=0.05,
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=200,
    )
    stopping.fit(X[:400], y[:400], X_val=X[400:], y_val=y[400:])
    assert stopping.n_iter_ < 200
    assert stopping.best_validation_score_ == max(stopping.validation_scores_)
    assert stopping.score(X[400:], y[400:]) == pytest.approx(
        stopping.best_validation_score_
    )


def test_validation_loss_uses_the_training_objective():
    X, y = data(n_samples=200)
    model = BackpropRegressor(
        hidden_layer_sizes=(), optimizer="lbfgs", alpha=0.0, max_iter=20, random_state=0
    )
    model.fit(X[:100], y[:100], X_val=X[100:], y_val=y[100:])
    residual = model.predict(X[100:]) - y[100:]
    assert model.validation_loss_curve_[-1] == pytest.approx(
        0.5 * np.mean(residual**2), rel=1e-6
    )
    assert len(model.loss_curve_) == model.n_iter_


def test_partial_fit_early_stopping_restores_the_best_weights():
    X, y = data(n_samples=600, seed=1)
    model = BackpropClassifier(
        hidden_layer_sizes=(64,),
        learning_rate=0.05,
        early_stopping=True,
        n_iter_no_change=2,
        random_state=0,
    )
    best_weights = {}
    stopped_at = None
    for call in range(60):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.partial_fit(
                X[:200], y[:200], classes=[0, 1], X_val=X[200:], y_val=y[200:]
            )
        if model.validation_scores_[-1] == model.best_validation_score_:
            best_weights = [c.copy() for c in model.coefs_]
        if model.early_stopped_:
            stopped_at = call
            assert any("restored" in str(w.message) for w in caught)
            break
    assert stopped_at is not None
    for current, best in zip(model.coefs_, best_weights):
        assert_array_equal(current, best)
    assert model.score(X[200:], y[200:]) == pytest.approx(model.best_validation_score_)


def test_partial_fit_early_stopping_needs_validation_data():
    X, y = data()
    with pytest.raises(ValueError, match="X_val and y_val"):
        BackpropClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1])


def test_decision_function_and_stable_log_proba():
    X, y = data()
    model = BackpropClassifier(
        hidden_layer_sizes=(8,), max_iter=20, random_state=0
    ).fit(X, y)
    scores = model.decision_function(X)
    assert scores.shape == (400,)
    assert_array_equal(model.predict(X), model.classes_[(scores > 0).astype(int)])
    # Huge logits: the probability underflows, its log stays finite.
    model.coefs_[-1] *= 1e4
    log_proba = model.predict_log_proba(X)
    assert np.isfinite(log_proba).all()
    assert (log_proba.min(axis=1) < -40).any()
    X3, y3 = make_classification(
        n_samples=200, n_classes=3, n_informative=4, random_state=0
    )
    multi = BackpropClassifier(hidden_layer_sizes=(8,), max_iter=20).fit(X3, y3)
    multi.coefs_[-1] *= 1e4
    assert np.isfinite(multi.predict_log_proba(X3)).all()
    assert_allclose(multi.predict_proba(X3).sum(axis=1), 1.0)


def test_callback_returning_true_stops_at_that_epoch():
    X, y = data()
    history = History()
    model = BackpropClassifier(
        hidden_layer_sizes=(4,),
        max_iter=50,
        callbacks=[history, lambda estimator, record: record["epoch"] == 4],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(X, y)
    assert model.n_iter_ == 4
    assert [r["epoch"] for r in history.records_] == [1, 2, 3, 4]
    assert set(history.records_[0]) >= {
        "epoch",
        "loss",
        "val_loss",
        "val_score",
        "learning_rate",
        "time",
    }


def test_interrupt_keeps_the_last_complete_epoch():
    X, y = data()
    snapshots = []

    def interrupt_at_third(estimator, record):
        snapshots.append([c.copy() for c in estimator.coefs_])
        if record["epoch"] == 3:
            raise KeyboardInterrupt

    model = BackpropClassifier(
        hidden_layer_sizes=(8,),
        max_iter=20,
        random_state=0,
        callbacks=[interrupt_at_third],
    )
    # MLP's sentence first, so code matching MLP's warning keeps matching.
    with pytest.warns(UserWarning, match="Training interrupted by user."):
        model.fit(X, y)
    assert model.n_iter_ == 3
    for current, saved in zip(model.coefs_, snapshots[-1]):
        assert_array_equal(current, saved)
    assert model.predict(X).shape == y.shape


def test_convergence_warning_once_naming_max_iter():
    X, y = data()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        BackpropClassifier(hidden_layer_sizes=(4,), max_iter=3).fit(X, y)
    convergence = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(convergence) == 1
    assert "max_iter=3" in str(convergence[0].message)


def test_verbose_prints_one_aligned_line_per_epoch(capsys):
    X, y = data()
    BackpropClassifier(hidden_layer_sizes=(4,), max_iter=3, verbose=True).fit(
        X, y, X_val=X, y_val=y
    )
    lines = capsys.readouterr().out.rstrip("\n").splitlines()
    assert len(lines) == 4 and lines[0].split()[:2] == ["epoch", "loss"]
    assert len({len(line) for line in lines}) == 1


def test_parameter_groups_steer_the_optimizer_step():
    from skprop._epoch import take_step
    from skprop._layers import ParameterGroup, dense_stack
    from skprop._network import Network
    from skprop.activations import ReLU
    from skprop.optimizers import SGD, AdamW

    layers = dense_stack([3, 4, 2], [ReLU()])

    def stepped(optimizer, groups):
        net = Network.empty(layers, np.float64, groups)
        net.initialize(np.random.RandomState(0))
        net.grad[...] = np.random.RandomState(1).normal(size=net.grad.size)
        before = net.params.copy()
        take_step(net, optimizer, optimizer.init(net.params), 0.1)
        return net.params - before, net

    plain, net = stepped(SGD(momentum=0.0), None)
    weights, biases = (piece for _, piece in net.groups)
    slow_biases = [
        ParameterGroup("weights", True),
        ParameterGroup("biases", False, 0.5),
    ]
    scaled, _ = stepped(SGD(momentum=0.0), slow_biases)
    assert_allclose(scaled[weights], plain[weights])
    assert_allclose(scaled[biases], 0.5 * plain[biases])
    decayed, _ = stepped(AdamW(weight_decay=0.5), None)
    no_bias_decay = [ParameterGroup("weights", True), ParameterGroup("biases", False)]
    no_bias_decay[1].weight_decay = False
    undecayed, net = stepped(AdamW(weight_decay=0.5), no_bias_decay)
    assert_allclose(undecayed[weights], decayed[weights])
    # The decay AdamW skipped: lr * weight_decay * the biases before the step.
    biases_before = net.params[biases] - undecayed[biases]
    skipped = undecayed[biases] - decayed[biases]
    assert_allclose(skipped, 0.1 * 0.5 * biases_before, atol=1e-12)


def _split_data():
    X, y = make_classification(n_samples=300, n_features=8, random_state=0)
    return X[:200], y[:200], X[200:], y[200:]


@pytest.mark.parametrize(
    "settings",
    [
        dict(early_stopping=True, n_iter_no_change=3),
        dict(early_stopping="last_best", max_iter=12),
        dict(early_stopping=False),
        dict(optimizer="lbfgs", max_iter=15),
    ],
)
def test_best_epoch_is_the_epoch_whose_weights_are_kept(settings):
    X, y, X_val, y_val = _split_data()
    params = dict(hidden_layer_sizes=(16,), learning_rate=0.05, random_state=0)
    model = BackpropClassifier(**{**params, **settings})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y, X_val=X_val, y_val=y_val)
    assert 1 <= model.best_epoch_ <= len(model.loss_curve_)
    if settings.get("early_stopping"):
        scores = model.validation_scores_
        best = max(scores)
        kept = [i + 1 for i, s in enumerate(scores) if s == best]
        # MLP keeps the first best epoch; "last_best" the last one.
        expected = kept[-1] if settings["early_stopping"] == "last_best" else kept[0]
        assert model.best_epoch_ == expected
        assert model.score(X_val, y_val) == pytest.approx(best)
    else:
        assert model.best_epoch_ == len(model.loss_curve_)


def test_best_epoch_of_a_stream_with_early_stopping():
    X, y, X_val, y_val = _split_data()
    model = BackpropClassifier(
        hidden_layer_sizes=(16,),
        learning_rate=0.05,
        early_stopping=True,
        n_iter_no_change=2,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(30):
            model.partial_fit(X, y, classes=[0, 1], X_val=X_val, y_val=y_val)
            if model.early_stopped_:
                break
    assert model.early_stopped_
    scores = model.validation_scores_
    assert model.best_epoch_ == int(np.argmax(scores)) + 1 < len(scores)
    model.partial_fit(X, y, X_val=X_val, y_val=y_val)
    assert model.best_epoch_ == len(model.loss_curve_)


def test_fresh_fit_resets_best_epoch():
    X, y, X_val, y_val = _split_data()
    model = BackpropClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    model.fit(X, y)
    assert model.best_epoch_ == 5
    model.set_params(max_iter=2).fit(X, y)
    assert model.best_epoch_ == 2


def test_interrupt_in_the_first_epoch_of_a_fresh_fit_keeps_no_old_weights():
    # Early stopping keeps a copy of the best weights; a fresh fit that is
    # interrupted before its first epoch completes must not bring back the
    # previous fit's.
    from skprop.losses import SquaredError

    class Interrupting(SquaredError):
        armed = False

        def loss_gradient(self, y, raw):
            if Interrupting.armed:
                raise KeyboardInterrupt
            return super().loss_gradient(y, raw)

    X, y = data()
    y = y.astype(float)
    model = BackpropRegressor(
        hidden_layer_sizes=(8,),
        loss=Interrupting(),
        early_stopping=True,
        max_iter=5,
        random_state=0,
    ).fit(X, y)
    previous = [c.copy() for c in model.coefs_]
    Interrupting.armed = True
    try:
        with pytest.warns(UserWarning, match="weights it started from are kept"):
            model.set_params(random_state=1).fit(X, y)
    finally:
        Interrupting.armed = False
    assert model.n_iter_ == 0 and model.loss_curve_ == []
    fresh = BackpropRegressor(hidden_layer_sizes=(8,), max_iter=1, random_state=1)
    fresh.set_params(learning_rate=1e-300).fit(X, y)  # its initial weights
    for current, old, initial in zip(model.coefs_, previous, fresh.coefs_):
        assert not np.array_equal(current, old)
        assert_allclose(current, initial, rtol=0, atol=1e-12)
