import doctest
import importlib
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.utils import estimator_html_repr

from skprop import BackpropClassifier, BackpropRegressor, tabular
from skprop.layers import FeatureScale, PeriodicEmbedding
from skprop.optimizers import SGD
from skprop.preprocessing import DatetimeFeatures, TargetScaler
from skprop.tabular import TabularPipeline, make_classifier, make_regressor

pd = pytest.importorskip("pandas")

FAST = {"max_iter": 40, "n_iter_no_change": 40, "batch_size": 32}


def fast_classifier(**overrides):
    settings = {f"net__{key}": value for key, value in FAST.items()}
    return make_classifier(**{**settings, **overrides})


def fast_regressor(**overrides):
    settings = {f"net__regressor__{key}": value for key, value in FAST.items()}
    return make_regressor(**{**settings, **overrides})


def mixed_frame(n_samples=200, seed=0):
    """Numeric, category, string and boolean columns, with missing values;
    the target depends on a numeric and a categorical column."""
    rng = np.random.default_rng(seed)
    size = rng.normal(size=n_samples)
    colour = rng.choice(["red", "green", "blue"], size=n_samples)
    X = pd.DataFrame(
        {
            "size": size * 100.0 + 50.0,
            "count": rng.integers(0, 5, n_samples),
            "colour": pd.Categorical(colour),
            "shop": rng.choice(["a", "b"], size=n_samples).astype(object),
            "member": rng.random(n_samples) < 0.5,
        }
    )
    signal = size + 2.0 * (colour == "red")
    missing = rng.random((n_samples, 2)) < 0.1
    X.loc[missing[:, 0], "size"] = np.nan
    X.loc[missing[:, 1], "colour"] = np.nan
    X.loc[rng.random(n_samples) < 0.1, "shop"] = None
    return X, signal


def test_classifier_trains_on_mixed_frame_with_missing_values():
    X, signal = mixed_frame()
    y = np.where(signal > 1.0, "high", "low")
    model = fast_classifier(random_state=0).fit(X, y)
    assert model.score(X, y) > 0.8
    assert set(model.predict(X)) <= {"high", "low"}
    assert_allclose(model.predict_proba(X).sum(axis=1), 1.0, rtol=1e-6)
    unseen = X.head(3).assign(shop=["new", "new", None])
    assert model.predict(unseen).shape == (3,)
    # One scaled column per numeric one, an indicator for "size", one-hot
    # columns for the rest (missing "colour" and "shop" are categories).
    n_columns = model.named_steps["net"].n_features_in_
    assert n_columns == 2 + 1 + 4 + 3 + 2


def test_regressor_takes_raw_targets():
    X, signal = mixed_frame()
    y = 1000.0 + 300.0 * signal
    model = fast_regressor(random_state=0).fit(X, y)
    assert isinstance(model.named_steps["net"], TransformedTargetRegressor)
    assert model.score(X, y) > 0.7
    assert abs(model.predict(X).mean() - y.mean()) < 0.1 * y.std()


def test_numpy_arrays_are_numeric():
    X, signal = mixed_frame()
    X = X[["size", "count"]].to_numpy()
    y = (signal > 1.0).astype(int)
    model = fast_classifier(random_state=0).fit(X, y)
    # Two scaled columns and the missing-value indicator of the first.
    assert model.named_steps["net"].n_features_in_ == 3
    assert model.predict(X[:5]).shape == (5,)
    regressor = fast_regressor(random_state=0).fit(X, signal)
    assert regressor.predict(X[:5]).shape == (5,)


def test_object_arrays_are_categorical():
    X = np.array([["a", "x"], ["b", "x"], ["a", "y"], [None, "y"]] * 10, dtype=object)
    y = [0, 1, 0, 1] * 10
    model = fast_classifier(random_state=0).fit(X, y)
    assert model.named_steps["net"].n_features_in_ == 3 + 2


def test_polars_frame():
    pl = pytest.importorskip("polars")
    X, signal = mixed_frame(n_samples=60)
    X = pl.DataFrame(
        {name: [None if pd.isna(v) else v for v in X[name]] for name in X.columns}
    )
    model = fast_classifier(random_state=0).fit(X, signal > 1.0)
    assert model.named_steps["net"].n_features_in_ == 2 + 1 + 4 + 3 + 2


def test_pandas_nullable_dtypes():
    X = pd.DataFrame(
        {
            "n": pd.array([1, None, 3, 4] * 10, dtype="Int64"),
            "s": pd.array(["a", "b", None, "a"] * 10, dtype="string"),
            "b": pd.array([True, None, False, True] * 10, dtype="boolean"),
        }
    )
    model = fast_regressor(random_state=0).fit(X, np.arange(40.0))
    assert model.named_steps["net"].regressor_.n_features_in_ == 2 + 3 + 3


def test_recipe_settings():
    network = make_classifier().named_steps["net"]
    assert isinstance(network, BackpropClassifier)
    assert network.hidden_layer_sizes == (256, 256, 256)
    assert network.activation == "relu"
    assert network.early_stopping == "last_best"
    assert network.validation_fraction == 0.2
    assert network.max_iter == 128
    assert [type(layer) for layer in network.input_layers] == [
        PeriodicEmbedding,
        FeatureScale,
    ]
    assert network.parameter_groups["scale"] == {"lr_factor": 6.0}
    assert network.parameter_groups["biases"] == {"weight_decay": False}
    assert network.loss.label_smoothing == 0.1
    regressor_params = make_regressor().get_params()
    assert regressor_params["net__regressor__activation"] == "gelu"
    assert regressor_params["net__regressor__max_iter"] == 128
    assert regressor_params["net__regressor__learning_rate__learning_rate_init"] == 4e-3
    assert network.learning_rate.learning_rate_init == 2e-3
    assert network.dropout == 0.15
    # One cap on categories: columns with more go to the frequency branch,
    # so the one-hot encoder itself keeps every category it is given.
    assert make_classifier().get_params()["prep__max_categories"] == 256
    assert make_classifier().get_params()["prep__cat__onehot__max_categories"] is None
    assert network.optimizer.get_params()["beta_2"] == 0.95
    assert network.optimizer.get_params()["weight_decay"] == 0.02
    assert network.learning_rate.max_iter == network.max_iter
    regressor = make_regressor().named_steps["net"].regressor
    assert isinstance(regressor, BackpropRegressor)
    for key, value in network.get_params(deep=False).items():
        different = ("loss", "class_weight", "activation", "max_iter", "learning_rate")
        if key not in different:
            assert repr(regressor.get_params()[key]) == repr(value)


def test_nested_settings_are_parameters():
    params = make_classifier().get_params()
    for key in [
        "prep__num__scale__clip",
        "prep__num__impute__add_indicator",
        "prep__cat__onehot__max_categories",
        "net__optimizer__weight_decay",
        "net__learning_rate__learning_rate_init",
    ]:
        assert key in params
    assert "net__regressor__dropout" in make_regressor().get_params()
    assert "net__transformer" in make_regressor().get_params()


def test_grid_search_tunes_a_nested_setting():
    X, signal = mixed_frame(n_samples=90)
    y = signal > 1.0
    search = GridSearchCV(
        fast_classifier(net__max_iter=3, random_state=0),
        {"prep__num__scale__clip": [None, 2.0]},
        cv=2,
    ).fit(X, y)
    assert search.best_params_["prep__num__scale__clip"] in (None, 2.0)
    assert len(search.cv_results_["params"]) == 2
    assert (
        search.best_estimator_.get_params()["prep__num__scale__clip"]
        == (search.best_params_["prep__num__scale__clip"])
    )


def test_random_state_gives_identical_predictions():
    X, signal = mixed_frame(n_samples=100)
    y = signal > 1.0
    first = fast_classifier(net__max_iter=5, random_state=3).fit(X, y)
    second = fast_classifier(net__max_iter=5, random_state=3).fit(X, y)
    other = fast_classifier(net__max_iter=5, random_state=4).fit(X, y)
    assert first.get_params()["net__random_state"] == 3
    assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    assert not np.array_equal(first.predict_proba(X), other.predict_proba(X))
    regressor = make_regressor(random_state=5)
    assert regressor.get_params()["net__regressor__random_state"] == 5


def test_overrides_are_set_params_keys():
    model = make_classifier(
        net__optimizer=SGD(), net__optimizer__momentum=0.5, net__max_iter=7
    )
    assert isinstance(model, Pipeline)
    assert model.get_params()["net__optimizer__momentum"] == 0.5
    # The cosine schedule follows an overridden max_iter, unless it is given.
    assert model.get_params()["net__learning_rate__max_iter"] == 7
    model = make_classifier(net__max_iter=7, net__learning_rate__max_iter=9)
    assert model.get_params()["net__learning_rate__max_iter"] == 9
    model = make_regressor(net__regressor__max_iter=7)
    assert model.get_params()["net__regressor__learning_rate__max_iter"] == 7


@pytest.mark.parametrize("factory", [make_classifier, make_regressor])
def test_unknown_override_raises(factory):
    with pytest.raises(ValueError, match="Unknown setting 'net__max_itr'"):
        factory(net__max_itr=3)
    with pytest.raises(ValueError, match="Unknown setting 'hidden_layer_sizes'"):
        factory(hidden_layer_sizes=(10,))


def test_each_call_builds_new_objects():
    first, second = make_classifier(), make_classifier()
    first.set_params(net__optimizer__weight_decay=0.5)
    assert second.get_params()["net__optimizer__weight_decay"] == 0.02
    assert first.named_steps["float32"] is not second.named_steps["float32"]
    first_layers = first.named_steps["net"].input_layers
    assert first_layers[0] is not second.named_steps["net"].input_layers[0]
    assert BackpropClassifier().hidden_layer_sizes == (100,)


def test_docstring_examples():
    assert doctest.testmod(tabular).failed == 0


def test_regressor_predictions_stay_in_the_training_range():
    X, signal = mixed_frame()
    y = 1000.0 + 300.0 * signal
    model = fast_regressor(random_state=0).fit(X, y)
    far = X.head(5).assign(size=[1e6, -1e6, 1e6, -1e6, 1e6])
    predicted = model.predict(far)
    assert y.min() <= predicted.min() and predicted.max() <= y.max()
    assert model.named_steps["float32"].transform(np.ones((2, 2))).dtype == np.float32


def test_an_identifier_with_dozens_of_values_keeps_its_identity():
    # 60 ids, each with its own offset: pooling rare ids into "infrequent"
    # would lose what tells their targets apart.
    rng = np.random.default_rng(0)
    ids = np.repeat(np.arange(60), 4)
    X = pd.DataFrame({"id": pd.Categorical(ids.astype(str)), "x": rng.random(240)})
    model = fast_regressor(random_state=0).fit(X, ids * 10.0 + X["x"])
    columns = model.named_steps["prep"].get_feature_names_out()
    assert sum(name.startswith("cat__id_") for name in columns) == 60


def small_frame(n_samples=60, seed=0):
    X, signal = mixed_frame(n_samples=n_samples, seed=seed)
    return X, signal


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_validation_data_goes_through_the_preprocessing(task):
    X, signal = small_frame(n_samples=80)
    X_val, signal_val = small_frame(n_samples=40, seed=1)
    if task == "classification":
        y, y_val = signal > 1.0, signal_val > 1.0
        factory, key = make_classifier, "net__"
    else:
        y, y_val = 1000.0 + 300.0 * signal, 1000.0 + 300.0 * signal_val
        factory, key = make_regressor, "net__regressor__"
    settings = {key + "max_iter": 3, "random_state": 0}
    model = factory(**settings).fit(X, y, X_val=X_val, y_val=y_val)
    y_val_raw = y_val
    # By hand: the fitted preprocessing, and for regression the target scaler.
    by_hand = factory(**settings)
    head = clone(by_hand[:-1]).fit(X, y)
    X_val_by_hand = head.transform(X_val)
    assert X_val_by_hand.dtype == np.float32
    if task == "regression":
        y_val = (
            TargetScaler()
            .fit(np.asarray(y)[:, None])
            .transform(np.asarray(y_val)[:, None])[:, 0]
        )
    network = clone(by_hand[-1]).fit(
        head.transform(X), y, X_val=X_val_by_hand, y_val=y_val
    )
    # Addressed to the network, raw validation data goes the same way.
    routed = factory(**settings).fit(X, y, net__X_val=X_val, net__y_val=y_val_raw)
    fitted, fitted_by_hand = model.named_steps["net"], network
    fitted_routed = routed.named_steps["net"]
    if task == "regression":
        fitted, fitted_by_hand = fitted.regressor_, fitted_by_hand.regressor_
        fitted_routed = fitted_routed.regressor_
    assert len(fitted.validation_scores_) == 3
    for other in (fitted_by_hand, fitted_routed):
        assert_array_equal(fitted.validation_scores_, other.validation_scores_)
        assert_array_equal(fitted.validation_loss_curve_, other.validation_loss_curve_)


def test_validation_data_needs_both_parts_and_keeps_params():
    X, signal = small_frame()
    with pytest.raises(ValueError, match="X_val and y_val"):
        make_classifier(net__max_iter=2).fit(X, signal > 1.0, X_val=X)
    with pytest.raises(ValueError, match="X_val is given twice"):
        make_classifier(net__max_iter=2).fit(
            X, signal > 1.0, X_val=X, net__X_val=X, y_val=signal > 1.0
        )
    model = make_classifier(net__max_iter=2)
    keys = set(model.get_params())
    model.fit(X, signal > 1.0, X_val=X, y_val=signal > 1.0)
    assert set(model.get_params()) == keys
    assert set(clone(model).get_params()) == keys
    assert isinstance(model, TabularPipeline)


@pytest.mark.parametrize("columns", [["size", "count"], ["colour", "shop"], None])
def test_html_repr_of_fitted_recipes(columns):
    X, signal = small_frame()
    X = X if columns is None else X[columns]
    model = make_classifier(net__max_iter=2).fit(X, signal > 1.0)
    html = estimator_html_repr(model)
    assert "TabularPipeline" in html and model._repr_html_()
    branches = [
        name for name, *_ in model.named_steps["prep"].column_transformer_.transformers_
    ]
    expected = {None: ["num", "cat"], "size": ["num"], "colour": ["cat"]}
    assert branches == expected[columns and columns[0]]
    params = model.get_params()
    assert "prep__cat__onehot__max_categories" in params
    assert "prep__num__scale__clip" in params
    assert estimator_html_repr(make_regressor())


def test_skops_trusts_only_public_skprop_classes():
    sio = pytest.importorskip("skops.io")
    X, signal = small_frame()
    for model in [
        make_classifier(net__max_iter=2).fit(X, signal > 1.0),
        make_regressor(net__regressor__max_iter=2).fit(X, signal),
    ]:
        untrusted = sio.get_untrusted_types(data=sio.dumps(model))
        assert all(name.startswith("skprop.") for name in untrusted)
        # Every one a public class: no private class name, and each reachable
        # as skprop.NAME or from the public module it lives in.
        for name in untrusted:
            module, _, qualname = name.rpartition(".")
            assert not qualname.startswith("_"), name
            public = "skprop" if module.split(".")[-1].startswith("_") else module
            assert getattr(importlib.import_module(public), qualname, None), name
        loaded = sio.loads(sio.dumps(model), trusted=untrusted)
        assert_array_equal(loaded.predict(X), model.predict(X))


def test_datetime_columns_are_numeric_features():
    rng = np.random.default_rng(0)
    times = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 800, 60), "D")
    X = pd.DataFrame({"when": times, "x": rng.random(60)})
    X.loc[3, "when"] = pd.NaT
    model = make_classifier(net__max_iter=2).fit(X, [0, 1] * 30)
    names = model.named_steps["prep"].get_feature_names_out().tolist()
    assert names == [
        "num__x",
        *(
            f"date__when_{part}"
            for part in ["epoch", "month", "day", "weekday", "hour"]
        ),
        *(
            f"date__missingindicator_when_{part}"
            for part in ["epoch", "month", "day", "weekday", "hour"]
        ),
    ]
    features = DatetimeFeatures().fit_transform(X[["when"]].head(1))
    stamp = X["when"].iloc[0]
    assert_allclose(
        features[0],
        [stamp.timestamp(), stamp.month, stamp.day, stamp.day_of_week, stamp.hour],
    )
    assert model.predict(X.head(4)).shape == (4,)


def test_high_cardinality_column_is_frequency_encoded_with_a_warning():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {"id": [f"row{i}" for i in range(300)], "colour": rng.choice(["a", "b"], 300)}
    )
    with pytest.warns(UserWarning, match="'id'.*max_categories=256"):
        model = make_classifier(net__max_iter=2).fit(X, [0, 1] * 150)
    names = model.named_steps["prep"].get_feature_names_out().tolist()
    assert names == ["cat__colour_a", "cat__colour_b", "freq__id_frequency"]
    # Raising the limit one-hot encodes it: every one of its 300 values.
    model = make_classifier(net__max_iter=2, prep__max_categories=300)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.fit(X, [0, 1] * 150)
    assert model.named_steps["net"].n_features_in_ == 2 + 300


def test_set_output_polars_and_pandas():
    pytest.importorskip("polars")
    X, signal = small_frame()
    y = signal > 1.0
    expected = make_classifier(net__max_iter=2, random_state=0).fit(X, y)
    for transform in ["pandas", "polars"]:
        model = make_classifier(net__max_iter=2, random_state=0)
        model.set_output(transform=transform).fit(X, y)
        assert_allclose(model.predict_proba(X), expected.predict_proba(X), rtol=1e-6)


def test_array_api_input_is_refused_clearly():
    xp = pytest.importorskip("array_api_strict")
    sklearn = pytest.importorskip("sklearn")
    X = xp.asarray(np.random.default_rng(0).random((20, 3)))
    try:
        with sklearn.config_context(array_api_dispatch=True):
            pass
    except ImportError as error:  # scikit-learn < 1.7 without array-api-compat
        pytest.skip(f"array_api_dispatch is unavailable: {error}")
    with sklearn.config_context(array_api_dispatch=True):
        with pytest.raises(TypeError, match="NumPy arrays and pandas or polars"):
            make_classifier(net__max_iter=2).fit(X, xp.asarray([0, 1] * 10))


def test_validation_data_with_memory_leaves_a_fitted_pipeline(tmp_path):
    X, signal = small_frame(n_samples=80)
    y = signal > 1.0
    model = make_classifier(net__max_iter=2, random_state=0, memory=str(tmp_path))
    model.fit(X[:60], y[:60], X_val=X[60:], y_val=y[60:])
    assert model.predict(X).shape == (80,)
    plain = make_classifier(net__max_iter=2, random_state=0).fit(
        X[:60], y[:60], X_val=X[60:], y_val=y[60:]
    )
    assert_array_equal(model.predict_proba(X), plain.predict_proba(X))


def test_regressor_validation_data_with_metadata_routing():
    import sklearn

    X, signal = small_frame(n_samples=80)
    y = 1000.0 + 300.0 * signal
    settings = dict(net__regressor__max_iter=3, random_state=0)
    plain = make_regressor(**settings).fit(X[:60], y[:60], X_val=X[60:], y_val=y[60:])
    with sklearn.config_context(enable_metadata_routing=True):
        routed = make_regressor(**settings).fit(
            X[:60], y[:60], X_val=X[60:], y_val=y[60:]
        )
    assert_array_equal(
        routed.named_steps["net"].regressor_.validation_scores_,
        plain.named_steps["net"].regressor_.validation_scores_,
    )


def test_sparse_input_to_the_recipe_is_refused_clearly():
    from scipy import sparse

    X = sparse.random(60, 5, density=0.5, format="csr", random_state=0)
    with pytest.raises(TypeError, match="dense data.*toarray"):
        make_classifier(net__max_iter=2).fit(X, [0, 1] * 30)


def test_only_sample_weight_val_says_what_is_missing():
    X, signal = small_frame()
    with pytest.raises(ValueError, match="sample_weight_val needs both"):
        make_classifier(net__max_iter=2).fit(
            X, signal > 1.0, sample_weight_val=np.ones(len(X))
        )


def _dispatch_or_skip():
    """Skip where PyTorch or scikit-learn's array_api_dispatch is missing."""
    pytest.importorskip("torch")
    sklearn = pytest.importorskip("sklearn")
    try:
        with sklearn.config_context(array_api_dispatch=True):
            pass
    except ImportError as error:
        pytest.skip(f"array_api_dispatch is unavailable: {error}")


@pytest.mark.parametrize("factory", [make_classifier, make_regressor])
def test_device_trains_the_network_there_and_returns_a_numpy_model(factory):
    _dispatch_or_skip()
    X, signal = small_frame(n_samples=80)
    y = signal > 1.0 if factory is make_classifier else signal
    prefix = "net__" if factory is make_classifier else "net__regressor__"
    # Without dropout the device's run is the NumPy run, up to float32
    # rounding (dropout masks are drawn per backend).
    settings = {prefix + "max_iter": 3, prefix + "dropout": 0.0, "random_state": 0}
    on_host = factory(**settings).fit(X, y)
    on_device = factory(device="cpu", **settings)
    assert on_device.get_params()["device"] == "cpu"
    on_device.fit(X, y, X_val=X.iloc[:20], y_val=y[:20])
    network = on_device[-1]
    network = getattr(network, "regressor_", network)
    for array in [*network.coefs_, *network.intercepts_]:
        assert type(array) is np.ndarray
    for arrays in network.input_params_:
        assert all(type(a) is np.ndarray for a in arrays)
    assert len(network.validation_scores_) == 3
    predicted = on_device.predict(X)
    assert type(predicted) is np.ndarray
    reference = on_host.fit(X, y, X_val=X.iloc[:20], y_val=y[:20]).predict(X)
    if factory is make_classifier:
        assert_allclose(on_device.predict_proba(X), on_host.predict_proba(X), atol=1e-4)
    else:
        assert_allclose(predicted, reference, rtol=1e-3, atol=1e-3 * np.std(y))


def test_device_needs_torch(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch":
            raise ImportError("no torch here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    X, signal = small_frame(n_samples=40)
    with pytest.raises(ImportError, match="device='cuda' trains the network"):
        make_classifier(device="cuda", net__max_iter=1).fit(X, signal > 1.0)


@pytest.mark.parametrize(
    "factory, network",
    [(make_classifier, "net__"), (make_regressor, "net__regressor__")],
)
def test_epochs_sets_the_epochs_and_the_schedule(factory, network):
    params = factory(epochs=7).get_params()
    assert params[network + "max_iter"] == 7
    assert params[network + "learning_rate__max_iter"] == 7
    assert (
        factory(epochs=7, **{network + "max_iter": 7}).get_params()[
            network + "max_iter"
        ]
        == 7
    )
    with pytest.raises(ValueError, match="disagree"):
        factory(epochs=7, **{network + "max_iter": 9})
