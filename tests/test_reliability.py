"""Reliability: bad input, divergence and faults never corrupt a model or
fail silently.

The Hypothesis tests run a bounded number of examples by default; set
``SKPROP_HYPOTHESIS_EXAMPLES`` (e.g. 2000) for a longer search.
"""

import gc
import os
import pickle
import subprocess
import sys
import textwrap
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from skprop import BackpropClassifier, BackpropRegressor, DivergenceError
from skprop.optimizers import SGD

EXAMPLES = int(os.environ.get("SKPROP_HYPOTHESIS_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def fitted_state(model):
    """Everything fit may change: non-parameter attributes, copied."""
    params = set(model.get_params(deep=False))
    return {
        k: pickle.dumps(v) for k, v in sorted(vars(model).items()) if k not in params
    }


def assert_unchanged(model, before, X):
    assert fitted_state(model) == before
    assert np.isfinite(
        model.predict(X)
        if isinstance(model, BackpropRegressor)
        else model.predict_proba(X)
    ).all()


def reference_models():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    classifier = BackpropClassifier(
        hidden_layer_sizes=(5,), max_iter=5, random_state=0
    ).fit(X, y)
    regressor = BackpropRegressor(
        hidden_layer_sizes=(5,), max_iter=5, random_state=0
    ).fit(X, X[:, 0])
    return X, y, classifier, regressor


@st.composite
def bad_inputs(draw):
    """Training data that is often wrong in one or more ways."""
    n_samples = draw(st.integers(0, 12))
    n_features = draw(st.sampled_from([4, 4, 4, 3, 5]))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64, complex, object]))
    X = np.random.RandomState(draw(st.integers(0, 100))).normal(
        size=(n_samples, n_features)
    )
    if n_samples and draw(st.booleans()):
        position = draw(st.integers(0, n_samples * n_features - 1))
        X.flat[position] = draw(st.sampled_from([np.nan, np.inf, -np.inf, 1e308]))
    with np.errstate(invalid="ignore"):  # NaN or inf cast to integers
        X = X.astype(dtype)
    label_kind = draw(
        st.sampled_from(
            [
                "binary",
                "single",
                "strings",
                "unseen",
                "continuous",
                "multilabel",
                "short",
            ]
        )
    )
    y = {
        "binary": np.arange(n_samples) % 2,
        "single": np.zeros(n_samples, dtype=int),
        "strings": np.array(["a", "b"] * n_samples)[:n_samples],
        "unseen": np.arange(n_samples) % 2 + 7,
        "continuous": np.linspace(0, 1, n_samples),
        "multilabel": np.column_stack([np.arange(n_samples) % 2] * 2),
        "short": np.arange(max(n_samples - 1, 0)) % 2,
    }[label_kind]
    weight_kind = draw(st.sampled_from([None, "ones", "negative", "zeros", "short"]))
    sample_weight = {
        None: None,
        "ones": np.ones(n_samples),
        "negative": -np.ones(n_samples),
        "zeros": np.zeros(n_samples),
        "short": np.ones(n_samples + 1),
    }[weight_kind]
    return X, y, sample_weight


@st.composite
def bad_parameters(draw):
    return draw(
        st.fixed_dictionaries(
            {},
            optional={
                "hidden_layer_sizes": st.sampled_from(
                    [(3,), (), (0,), (2, 2), "x", -1, 4]
                ),
                "learning_rate": st.sampled_from([1e-3, 0.0, -1.0, 1e3, "fast"]),
                "alpha": st.sampled_from([0.0, 1e-4, -1.0, np.nan]),
                "batch_size": st.sampled_from(["auto", 1, 0, 1000, 2.5]),
                "optimizer": st.sampled_from(
                    ["sgd", "adam", "lbfgs", "nadam", SGD(momentum=2.0), 3]
                ),
                "activation": st.sampled_from(
                    ["relu", "tanh", "swish", ["relu"], None]
                ),
                "dropout": st.sampled_from([0.0, 0.5, 1.0, [0.2], -0.1]),
                "max_iter": st.sampled_from([1, 3, 0, -2]),
                "clip_grad_norm": st.sampled_from([None, 1.0, 0.0]),
            },
        )
    )


def call_or_clean_error(method, *args, **kwargs):
    """Run `method`; True if it succeeded, False if it raised a clear
    ValueError / TypeError (anything else fails the test)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            method(*args, **kwargs)
        except (ValueError, TypeError) as error:
            assert str(error), "an error must say what is wrong"
            return False
    return True


@FUZZ
@given(
    data=bad_inputs(),
    params=bad_parameters(),
    mode=st.sampled_from(["fit", "warm_fit", "partial_fit"]),
)
def test_fuzzed_fit_errors_cleanly_and_never_corrupts(data, params, mode):
    X_ref, _, classifier, _ = reference_models()
    before = fitted_state(classifier)
    X, y, sample_weight = data
    if not call_or_clean_error(classifier.set_params, **params):
        assert fitted_state(classifier) == before
        return
    if mode == "partial_fit" and hasattr(classifier, "partial_fit"):
        ok = call_or_clean_error(
            classifier.partial_fit, X, y, sample_weight=sample_weight
        )
    else:
        classifier.set_params(warm_start=mode == "warm_fit")
        ok = call_or_clean_error(classifier.fit, X, y, sample_weight=sample_weight)
    if not ok:
        assert_unchanged(classifier, before, X_ref)
        return
    X_check = np.asarray(X, dtype=float)
    proba = classifier.predict_proba(X_check)
    assert np.isfinite(proba).all()
    if np.asarray(y).ndim == 1:
        assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


@FUZZ
@given(data=bad_inputs(), params=bad_parameters())
def test_fuzzed_regressor_fit_errors_cleanly(data, params):
    X_ref, _, _, regressor = reference_models()
    before = fitted_state(regressor)
    X, y, sample_weight = data
    regressor.set_params(warm_start=True)
    if call_or_clean_error(regressor.set_params, **params) and call_or_clean_error(
        regressor.fit, X, y, sample_weight=sample_weight
    ):
        assert np.isfinite(regressor.predict(np.asarray(X, dtype=float))).all()
    else:
        assert_unchanged(regressor, before, X_ref)


@FUZZ
@given(
    seed=st.integers(0, 2**16),
    n_classes=st.integers(2, 4),
    hidden=st.sampled_from([(), (3,), (4, 3)]),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_properties_of_any_fitted_classifier(seed, n_classes, hidden, dtype):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(30, 3)).astype(dtype)
    y = np.arange(30) % n_classes
    models = [
        BackpropClassifier(
            hidden_layer_sizes=hidden, max_iter=3, random_state=seed
        ).fit(X, y)
        for _ in range(2)
    ]
    for a, b in zip(models[0].coefs_, models[1].coefs_):
        assert_array_equal(a, b)
    proba = models[0].predict_proba(X)
    assert proba.dtype == dtype
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    restored = pickle.loads(pickle.dumps(models[0]))
    assert_array_equal(restored.predict_proba(X), proba)


def test_set_params_with_a_bad_name_changes_nothing():
    _, _, classifier, _ = reference_models()
    optimizer = SGD(momentum=0.5)
    classifier.set_params(optimizer=optimizer)
    with pytest.raises(ValueError, match="not_a_parameter"):
        classifier.set_params(optimizer__momentum=0.7, alpha=0.5, not_a_parameter=1)
    assert classifier.alpha == 0.0001
    assert optimizer.momentum == 0.5


def _non_finite():
    # Inputs of 1e200: the squared error overflows to inf at once.
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    return X, y, X * 1e200, dict(optimizer="sgd"), "the training loss became inf"


def _finite_explosion():
    # SGD at learning_rate=10 on unscaled targets: the loss climbs from 1e4
    # to 3e96 while staying finite, and predictions reach 1e50.
    X, y = _diabetes()
    settings = dict(optimizer="sgd", learning_rate=10.0, max_iter=20)
    return X, y, X, settings, "exploded to .* more than 1e\\+06"


@pytest.mark.parametrize("case", [_non_finite, _finite_explosion])
@pytest.mark.parametrize("first_fit", [True, False])
def test_divergence_raises_and_keeps_a_finite_model(first_fit, case):
    X, y, X_diverging, settings, message = case()
    model = BackpropRegressor(hidden_layer_sizes=(10,), random_state=0, max_iter=5)
    if not first_fit:
        model.fit(X, y)
        before = fitted_state(model)
    model.set_params(warm_start=True, **settings)
    with pytest.raises(DivergenceError, match=message):
        model.fit(X_diverging, y)
    if first_fit:
        with pytest.raises(NotFittedError):
            check_is_fitted(model)
    else:
        assert_unchanged(model, before, X)


def _diabetes():
    from sklearn.datasets import load_diabetes

    return load_diabetes(return_X_y=True)


def test_no_overflow_at_extreme_logits_and_inputs():
    X, y = make_classification(
        n_samples=100,
        n_features=4,
        n_classes=3,
        n_informative=3,
        n_redundant=0,
        random_state=0,
    )
    for dtype in (np.float64, np.float32):
        model = BackpropClassifier(
            hidden_layer_sizes=(5,), max_iter=5, random_state=0
        ).fit(X.astype(dtype), y)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            for scale in (1e8, -1e8):
                assert np.isfinite(model.predict_proba((X * scale).astype(dtype))).all()
                assert np.isfinite(
                    model.predict_log_proba((X * scale).astype(dtype))
                ).all()
            model.coefs_[-1] *= 1e4
            assert np.isfinite(model.predict_proba(X.astype(dtype))).all()


STREAM_SCRIPT = textwrap.dedent("""
    import pickle, sys
    import numpy as np
    with open(sys.argv[1], "rb") as file:
        model, chunks = pickle.load(file)
    for X, y in chunks:
        model.partial_fit(X, y)
    with open(sys.argv[1], "wb") as file:
        pickle.dump(model, file)
""")


def test_stream_resumed_in_a_new_process_matches_an_uninterrupted_one(tmp_path):
    X, y = make_classification(n_samples=400, n_features=6, random_state=0)
    chunks = [(X[i : i + 50], y[i : i + 50]) for i in range(0, 400, 50)]
    settings_ = dict(hidden_layer_sizes=(8,), shuffle=False, random_state=0)
    uninterrupted = BackpropClassifier(**settings_)
    for X_chunk, y_chunk in chunks:
        uninterrupted.partial_fit(X_chunk, y_chunk, classes=[0, 1])
    interrupted = BackpropClassifier(**settings_)
    for X_chunk, y_chunk in chunks[:3]:
        interrupted.partial_fit(X_chunk, y_chunk, classes=[0, 1])
    path = tmp_path / "stream.pkl"
    path.write_bytes(pickle.dumps((interrupted, chunks[3:])))
    subprocess.run([sys.executable, "-c", STREAM_SCRIPT, str(path)], check=True)
    resumed = pickle.loads(path.read_bytes())
    for a, b in zip(
        resumed.coefs_ + resumed.intercepts_,
        uninterrupted.coefs_ + uninterrupted.intercepts_,
    ):
        assert_array_equal(a, b)


def test_predict_from_eight_threads_matches_sequential():
    X, y = make_classification(n_samples=2000, n_features=20, random_state=0)
    model = BackpropClassifier(
        hidden_layer_sizes=(64, 32), max_iter=5, random_state=0
    ).fit(X, y)
    chunks = np.array_split(X, 16)
    sequential = [model.predict_proba(chunk) for chunk in chunks]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(model.predict_proba, chunks * 4))
    for i, result in enumerate(threaded):
        assert_array_equal(result, sequential[i % 16])


def test_memory_stays_flat_over_many_partial_fit_calls():
    X, y = make_classification(n_samples=20, n_features=10, random_state=0)
    model = BackpropClassifier(hidden_layer_sizes=(16,), random_state=0)
    model.partial_fit(X, y, classes=[0, 1])
    tracemalloc.start()
    try:
        for _ in range(200):
            model.partial_fit(X, y)
        gc.collect()
        after_warm_up, _ = tracemalloc.get_traced_memory()
        for _ in range(1800):
            model.partial_fit(X, y)
        gc.collect()
        after_all, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The only growth allowed is loss_curve_: one float per call.
    growth = after_all - after_warm_up
    assert growth < 1800 * 40 + 16_384, growth


def test_an_explosion_ends_a_partial_fit_stream():
    X, y = _diabetes()
    model = BackpropRegressor(optimizer="sgd", random_state=0).partial_fit(X, y)
    model.set_params(learning_rate=10.0)
    with pytest.raises(DivergenceError, match="exploded"):
        for _ in range(5):
            before = fitted_state(model)
            model.partial_fit(X, y)
    # The call that exploded changed nothing; the calls before it stand.
    assert_unchanged(model, before, X)


def test_a_loss_that_recovers_is_not_an_explosion():
    # RMSprop at learning_rate=10 overshoots to 2e4 times its start, then
    # comes back below it: loud enough to notice, not a divergence.
    X, y = _diabetes()
    model = BackpropRegressor(optimizer="rmsprop", learning_rate=10.0, random_state=0)
    model.set_params(max_iter=30).fit(X, y)
    assert max(model.loss_curve_) > 1e4 * model._start_loss
    assert model.loss_curve_[-1] < model._start_loss
