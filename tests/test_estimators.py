"""scikit-learn's estimator checks, and behaviour as a drop-in for MLP."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from skprop import BackpropClassifier, BackpropRegressor
from skprop.losses import Quantile
from skprop.optimizers import SGD

ESTIMATORS = [
    BackpropClassifier(),
    BackpropRegressor(),
    BackpropClassifier(optimizer="sgd"),
    BackpropRegressor(optimizer="sgd"),
    BackpropClassifier(optimizer="lbfgs"),
    BackpropRegressor(optimizer="lbfgs"),
    BackpropRegressor(loss="huber", optimizer="adamw"),
    BackpropRegressor(loss="poisson"),
    BackpropClassifier(input_layers=["periodic", "scale"]),
    BackpropRegressor(
        input_layers=["scale", "periodic"],
        parameter_groups={
            "scale": {"lr_factor": 6.0},
            "biases": {"weight_decay": False},
        },
        optimizer="adamw",
    ),
    BackpropClassifier(n_members=4),
    BackpropRegressor(n_members=4),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def classification_data(n_classes=3, n_samples=300, seed=0):
    return make_classification(
        n_samples=n_samples,
        n_features=8,
        n_informative=5,
        n_classes=n_classes,
        random_state=seed,
    )


def test_same_initial_weights_and_trajectory_as_mlp():
    X, y = classification_data()
    settings = dict(hidden_layer_sizes=(16, 8), random_state=3, max_iter=15)
    mlp = MLPClassifier(**settings).fit(X, y)
    ours = BackpropClassifier(**settings).fit(X, y)
    assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-7)
    for a, b in zip(ours.coefs_ + ours.intercepts_, mlp.coefs_ + mlp.intercepts_):
        assert_allclose(a, b, rtol=1e-6, atol=1e-9)


def test_regressor_matches_mlp_with_lbfgs_and_sgd():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    y = np.sin(X[:, 0]) + X[:, 1]
    for solver, optimizer in [("lbfgs", "lbfgs"), ("sgd", SGD())]:
        settings = dict(hidden_layer_sizes=(10,), random_state=0, max_iter=30)
        mlp = MLPRegressor(solver=solver, learning_rate_init=0.01, **settings).fit(X, y)
        ours = BackpropRegressor(
            optimizer=optimizer, learning_rate=0.01, **settings
        ).fit(X, y)
        assert ours.n_iter_ == mlp.n_iter_
        assert_allclose(ours.predict(X), mlp.predict(X), rtol=1e-5, atol=1e-6)


def test_same_seed_gives_bit_identical_weights():
    X, y = classification_data()
    models = [
        BackpropClassifier(
            hidden_layer_sizes=(10,),
            random_state=7,
            dropout=0.2,
            early_stopping=True,
            max_iter=20,
        ).fit(X, y)
        for _ in range(2)
    ]
    for a, b in zip(models[0].coefs_, models[1].coefs_):
        assert_array_equal(a, b)
    other = BackpropClassifier(hidden_layer_sizes=(10,), random_state=8, max_iter=20)
    assert not np.array_equal(other.fit(X, y).coefs_[0], models[0].coefs_[0])


def test_float32_all_the_way():
    X, y = classification_data()
    model = BackpropClassifier(hidden_layer_sizes=(10,), max_iter=5).fit(
        X.astype(np.float32), y
    )
    assert all(c.dtype == np.float32 for c in model.coefs_ + model.intercepts_)
    assert model.predict_proba(X.astype(np.float32)).dtype == np.float32
    model.fit(X, y)
    assert model.coefs_[0].dtype == np.float64


def test_warm_start_equals_one_long_fit():
    X, y = classification_data()
    settings = dict(
        hidden_layer_sizes=(10,),
        shuffle=False,
        random_state=0,
        tol=0.0,
        n_iter_no_change=100,
    )
    long = BackpropClassifier(max_iter=10, **settings).fit(X, y)
    warm = BackpropClassifier(max_iter=1, warm_start=True, **settings)
    for _ in range(10):
        warm.fit(X, y)
    assert warm.t_ == long.t_
    assert_allclose(warm.loss_curve_, long.loss_curve_, rtol=1e-12)
    for a, b in zip(warm.coefs_ + warm.intercepts_, long.coefs_ + long.intercepts_):
        assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_partial_fit_stream_equals_warm_epochs():
    X, y = classification_data()
    settings = dict(hidden_layer_sizes=(10,), shuffle=False, random_state=0)
    stream = BackpropClassifier(**settings)
    for _ in range(5):
        stream.partial_fit(X, y, classes=np.unique(y))
    long = BackpropClassifier(max_iter=5, tol=0.0, **settings).fit(X, y)
    assert_allclose(stream.coefs_[0], long.coefs_[0], rtol=1e-12, atol=1e-12)
    assert len(stream.loss_curve_) == 5


def test_partial_fit_needs_classes_and_rejects_unseen_labels():
    X, y = classification_data()
    model = BackpropClassifier(hidden_layer_sizes=(5,))
    with pytest.raises(ValueError, match="classes must be passed"):
        model.partial_fit(X, y)
    model.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    assert_array_equal(model.classes_, [0, 1, 2])
    with pytest.raises(ValueError, match=r"`y` has classes not in `self.classes_`"):
        model.partial_fit(X, np.where(y == 2, 5, y))


def test_partial_fit_is_hidden_for_lbfgs():
    assert not hasattr(BackpropClassifier(optimizer="lbfgs"), "partial_fit")
    assert not hasattr(BackpropRegressor(optimizer="lbfgs"), "partial_fit")
    assert hasattr(BackpropRegressor(optimizer="adam"), "partial_fit")


def test_string_labels_binary_and_multiclass():
    X, y = classification_data()
    names_of = np.array(["cat", "dog", "eel"]).__getitem__
    names = names_of(y)
    model = BackpropClassifier(hidden_layer_sizes=(10,), random_state=0).fit(X, names)
    numbered = BackpropClassifier(hidden_layer_sizes=(10,), random_state=0).fit(X, y)
    assert_array_equal(model.classes_, ["cat", "dog", "eel"])
    assert_array_equal(model.predict(X), names_of(numbered.predict(X)))
    binary = np.where(y == 0, "no", "yes")
    model.fit(X, binary)
    assert model.decision_function(X).shape == (300,)
    assert model.predict_proba(X).shape == (300, 2)
    assert set(model.predict(X)) <= {"no", "yes"}


def test_multilabel_classification():
    X, Y = make_multilabel_classification(n_samples=200, n_classes=4, random_state=0)
    model = BackpropClassifier(
        hidden_layer_sizes=(20,), random_state=0, max_iter=300
    ).fit(X, Y)
    assert model.out_activation_ == "logistic"
    assert model.predict(X).shape == (200, 4)
    proba = model.predict_proba(X)
    assert ((proba > 0) & (proba < 1)).all()
    assert model.score(X, Y) > 0.5


def test_multi_output_regression_loss_is_summed_over_outputs():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3))
    Y = np.column_stack([X[:, 0], -X[:, 1]])
    model = BackpropRegressor(
        hidden_layer_sizes=(), optimizer="lbfgs", alpha=0.0, random_state=0
    ).fit(X, Y)
    assert model.predict(X).shape == (100, 2)
    residual = model.predict(X) - Y
    assert model.loss_ == pytest.approx(
        0.5 * (residual**2).sum(axis=1).mean(), rel=1e-6, abs=1e-12
    )


def test_sparse_and_pandas_input():
    X, y = classification_data()
    dense = BackpropClassifier(hidden_layer_sizes=(5,), random_state=0, max_iter=5)
    sparse_model = BackpropClassifier(
        hidden_layer_sizes=(5,), random_state=0, max_iter=5
    )
    dense.fit(X, y)
    sparse_model.fit(sparse.csr_matrix(X), y)
    assert_allclose(
        sparse_model.predict_proba(sparse.csc_matrix(X)),
        dense.predict_proba(X),
        rtol=1e-9,
    )
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    framed = BackpropClassifier(hidden_layer_sizes=(5,), max_iter=5).fit(frame, y)
    assert_array_equal(framed.feature_names_in_, frame.columns)


def test_polars_input():
    pl = pytest.importorskip("polars", reason="polars is not installed")
    X, y = classification_data()
    frame = pl.DataFrame({f"f{i}": X[:, i] for i in range(X.shape[1])})
    model = BackpropClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    model.fit(frame, pl.Series(y))
    # Feature names come from scikit-learn's own validation, so they are kept
    # exactly where its estimators keep them: before 1.9 it reads them from a
    # non-pandas frame only through ``__dataframe__``, which polars 2 dropped.
    from sklearn.preprocessing import StandardScaler

    if hasattr(StandardScaler().fit(frame), "feature_names_in_"):
        assert_array_equal(model.feature_names_in_, frame.columns)
    else:
        assert not hasattr(model, "feature_names_in_")
    reference = BackpropClassifier(
        hidden_layer_sizes=(5,), max_iter=5, random_state=0
    ).fit(X, y)
    assert_allclose(model.predict_proba(frame), reference.predict_proba(X))


def test_sample_weight_of_two_equals_repeating():
    X, y = classification_data(n_samples=60)
    weight = np.ones(60)
    weight[:10] = 2.0
    settings = dict(
        hidden_layer_sizes=(6,), optimizer="lbfgs", random_state=0, max_iter=50
    )
    weighted = BackpropClassifier(**settings).fit(X, y, sample_weight=weight)
    repeated = BackpropClassifier(**settings).fit(
        np.vstack([X, X[:10]]), np.concatenate([y, y[:10]])
    )
    assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-6)


def test_zero_weight_minibatch_is_harmless():
    X, y = classification_data(n_samples=100)
    weight = np.ones(100)
    weight[:50] = 0.0
    model = BackpropClassifier(
        hidden_layer_sizes=(5,), batch_size=50, shuffle=False, max_iter=5
    ).fit(X, y, sample_weight=weight)
    assert np.isfinite(model.loss_curve_).all()


def test_grid_search_over_nested_parameters_in_two_processes():
    X, y = classification_data(n_samples=120)
    model = BackpropClassifier(
        hidden_layer_sizes=(6,),
        optimizer=SGD(),
        learning_rate=0.05,
        max_iter=20,
        random_state=0,
    )
    grid = {"optimizer__momentum": [0.5, 0.9], "optimizer__nesterov": [True, False]}
    search = GridSearchCV(model, grid, cv=2, n_jobs=2).fit(X, y)
    local = GridSearchCV(model, grid, cv=2, n_jobs=1).fit(X, y)
    assert_allclose(
        search.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    best = search.best_estimator_.optimizer
    assert best.momentum == search.best_params_["optimizer__momentum"]
    assert best is not model.optimizer
    assert model.optimizer.momentum == 0.9


def test_grid_search_over_loss_and_schedule_parameters():
    from skprop.losses import Huber
    from skprop.schedules import InvScaling

    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = X @ [1.0, 2.0, -1.0]
    model = BackpropRegressor(
        hidden_layer_sizes=(),
        loss=Huber(),
        optimizer=SGD(momentum=0.5),
        random_state=0,
        learning_rate=InvScaling(0.05),
        max_iter=30,
    )
    grid = {
        "loss__delta": [0.5, 1.0],
        "learning_rate__power_t": [0.25, 0.5],
        "optimizer__momentum": [0.5, 0.9],
    }
    search = GridSearchCV(model, grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    assert search.best_score_ > 0.9


def test_quantile_loss_covers_the_requested_fraction():
    rng = np.random.RandomState(0)
    X = rng.uniform(0, 3, size=(4000, 1))
    y = X[:, 0] + rng.normal(size=4000) * (0.2 + X[:, 0])
    model = BackpropRegressor(
        hidden_layer_sizes=(32,),
        loss=Quantile(0.9),
        learning_rate=0.01,
        max_iter=60,
        random_state=0,
    )
    model.fit(X[:3000], y[:3000])
    below = np.mean(y[3000:] <= model.predict(X[3000:]))
    assert abs(below - 0.9) <= 0.03


def _scaled_problem():
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    # Columns of very different scales, as raw data has them.
    X = X * np.array([1, 10, 100, 1000, 1, 5]) + np.array([0, 50, -300, 0, 7, 0])
    return X[:200], y[:200], X[200:], y[200:]


@pytest.mark.parametrize("early_stopping", [True, "last_best"])
def test_pipeline_transform_input_sends_validation_data_through_the_steps(
    early_stopping,
):
    import sklearn
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, X_val, y_val = _scaled_problem()
    settings = dict(
        hidden_layer_sizes=(8,),
        max_iter=8,
        random_state=0,
        early_stopping=early_stopping,
    )
    with sklearn.config_context(enable_metadata_routing=True):
        net = BackpropClassifier(**settings).set_fit_request(X_val=True, y_val=True)
        pipeline = Pipeline(
            [("scale", StandardScaler()), ("net", net)], transform_input=["X_val"]
        )
        pipeline.fit(X, y, X_val=X_val, y_val=y_val)
    scaler = StandardScaler().fit(X)
    by_hand = BackpropClassifier(**settings).fit(
        scaler.transform(X), y, X_val=scaler.transform(X_val), y_val=y_val
    )
    routed = pipeline[-1]
    assert routed.validation_scores_ == by_hand.validation_scores_
    assert routed.validation_loss_curve_ == by_hand.validation_loss_curve_
    assert routed.best_validation_score_ == pytest.approx(pipeline.score(X_val, y_val))


def test_validation_data_that_skipped_the_preprocessing_gets_a_clear_error():
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    frame = pd.DataFrame({"shop": list("abcab") * 20, "x": np.arange(100.0)})
    y = np.arange(100) % 2
    pipeline = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["shop"]), remainder="passthrough"),
        BackpropClassifier(hidden_layer_sizes=(4,), max_iter=2),
    )
    with pytest.raises(ValueError, match="transform_input=\\['X_val'\\]"):
        pipeline.fit(
            frame,
            y,
            backpropclassifier__X_val=frame.to_numpy(),
            backpropclassifier__y_val=y,
        )
    with pytest.raises(ValueError, match="expecting 4 features.*skipped"):
        pipeline.fit(
            frame,
            y,
            backpropclassifier__X_val=frame[["x"]].to_numpy(),
            backpropclassifier__y_val=y,
        )
