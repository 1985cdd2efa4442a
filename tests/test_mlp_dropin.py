"""Behaviour as a drop-in for scikit-learn's MLP: the inputs, arguments and
messages that code written against MLPClassifier / MLPRegressor relies on."""

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

import skprop
from skprop import BackpropClassifier, BackpropRegressor, DivergenceError
from skprop.optimizers import SGD, Adam

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
ESTIMATORS = [BackpropClassifier, BackpropRegressor]
NON_FINITE_WEIGHTS = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed."
)


def fitted_state(model):
    """Every non-parameter attribute, serialised, to compare bit for bit."""
    params = set(model.get_params(deep=False))
    return {k: pickle.dumps(v) for k, v in vars(model).items() if k not in params}


def convergence_warnings(caught):
    return [w for w in caught if issubclass(w.category, ConvergenceWarning)]


# ----------------------------------------------------------------------
# n_iter_no_change=np.inf
# ----------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("optimizer", ["sgd", "adam", "lbfgs"])
def test_n_iter_no_change_inf_runs_to_max_iter_and_warns_once(Estimator, optimizer):
    model = Estimator(
        optimizer=optimizer,
        hidden_layer_sizes=(5,),
        warm_start=True,
        max_iter=10,
        # Stochastic: every epoch is a plateau; L-BFGS: never converged.
        tol=1e-12 if optimizer == "lbfgs" else 10.0,
        n_iter_no_change=np.inf,
        random_state=0,
    )
    for max_iter in (10, 20):
        model.set_params(max_iter=max_iter)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(X_IRIS, Y_IRIS)
        assert model.n_iter_ == max_iter
        found = convergence_warnings(caught)
        assert len(found) == 1
        assert f"max_iter={max_iter}" in str(found[0].message)


def test_n_iter_no_change_rejects_other_floats():
    with pytest.raises(ValueError, match="n_iter_no_change"):
        BackpropClassifier(n_iter_no_change=2.5).fit(X_IRIS, Y_IRIS)


# ----------------------------------------------------------------------
# partial_fit's argument order
# ----------------------------------------------------------------------


def test_classifier_partial_fit_takes_mlp_argument_order():
    weight = np.linspace(0.1, 2.0, len(Y_IRIS))
    settings = dict(hidden_layer_sizes=(5,), random_state=0)
    positional = BackpropClassifier(**settings)
    positional.partial_fit(X_IRIS, Y_IRIS, weight, [0, 1, 2])
    keyword = BackpropClassifier(**settings)
    keyword.partial_fit(X_IRIS, Y_IRIS, sample_weight=weight, classes=[0, 1, 2])
    unweighted = BackpropClassifier(**settings)
    unweighted.partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
    assert_array_equal(positional.coefs_[0], keyword.coefs_[0])
    assert not np.array_equal(positional.coefs_[0], unweighted.coefs_[0])


# ----------------------------------------------------------------------
# Awkward targets
# ----------------------------------------------------------------------


@pytest.mark.parametrize("n_samples", [1, 20])
def test_single_class_trains_as_mlp_and_predicts_that_class(n_samples):
    X = X_IRIS[:n_samples]
    y = np.array(["only"] * n_samples, dtype=object)
    settings = dict(hidden_layer_sizes=(4,), random_state=0, max_iter=5)
    ours = BackpropClassifier(**settings).fit(X, y)
    mlp = MLPClassifier(**settings).fit(X, y)
    assert_array_equal(ours.classes_, ["only"])
    assert_array_equal(ours.predict(X), y)
    assert_array_equal(ours.predict_proba(X), np.ones((n_samples, 1)))
    assert_array_equal(ours.predict_log_proba(X), np.zeros((n_samples, 1)))
    assert ours.score(X, y) == 1.0
    assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-7)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_single_class_early_stopping_with_pandas_does_not_warn(Estimator):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(10, 2), columns=["colname_a", "colname_b"])
    y = pd.Series(np.full(10, 1), name="colname_y")
    model = Estimator(early_stopping=True, validation_fraction=0.2, max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.fit(X, y)
        prediction = model.predict(X)
    if Estimator is BackpropClassifier:
        assert_array_equal(prediction, np.ones(10))
        assert model.best_validation_score_ == 1.0


def test_sparse_multilabel_target_trains_and_predicts_as_mlp():
    X, Y = make_multilabel_classification(n_samples=60, random_state=0)
    settings = dict(hidden_layer_sizes=(10,), random_state=0, max_iter=30)
    dense = BackpropClassifier(**settings).fit(X, Y)
    ours = BackpropClassifier(**settings).fit(X, sparse.csr_matrix(Y))
    mlp = MLPClassifier(**settings).fit(X, sparse.csr_matrix(Y))
    prediction = ours.predict(X)
    assert type(prediction) is type(mlp.predict(X))
    assert prediction.dtype == mlp.predict(X).dtype
    assert_array_equal(prediction.toarray(), dense.predict(X))
    assert_array_equal(ours.coefs_[0], dense.coefs_[0])
    assert isinstance(dense.predict(X), np.ndarray)


def test_multiclass_multioutput_target_names_the_problem():
    y = np.column_stack([Y_IRIS, Y_IRIS % 2])
    for Estimator in (BackpropClassifier, MLPClassifier):
        with pytest.raises(ValueError, match="Multioutput target data is not"):
            Estimator(max_iter=5).fit(X_IRIS, y)


# ----------------------------------------------------------------------
# MLP's messages
# ----------------------------------------------------------------------


def test_non_finite_weights_message_is_mlps():
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.standard_normal(size=10)
    with pytest.raises(ValueError, match=re.escape(NON_FINITE_WEIGHTS)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            BackpropRegressor().fit(X, y)


def test_stratified_hold_out_message_is_mlps_and_names_the_label():
    X = [[1, 2], [2, 3], [3, 4], [4, 5]]
    y = [0, 0, 0, 1]
    # scikit-learn's wording: from 1.8 it names the label ("Classes with too
    # few members are: ['True']"), before that it says "class ... has".
    with pytest.raises(ValueError) as mlp_error:
        MLPClassifier(early_stopping=True).fit(X, y)
    with pytest.raises(ValueError, match=re.escape(str(mlp_error.value))):
        BackpropClassifier(early_stopping=True).fit(X, y)
    with pytest.raises(ValueError, match=r"classes_ \[1\]"):
        BackpropClassifier(early_stopping=True).fit(X, y)


def test_binary_early_stopping_draws_mlps_hold_out():
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    settings = dict(
        hidden_layer_sizes=(8,), random_state=0, max_iter=5, early_stopping=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = BackpropClassifier(**settings).fit(X, y)
        mlp = MLPClassifier(**settings).fit(X, y)
    assert_allclose(ours.validation_scores_, mlp.validation_scores_)
    assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-10)


@pytest.mark.parametrize(
    "settings, fit, expected",
    [
        (dict(hidden_layer_sizes=[10, 0]), "fit", "hidden_layer_sizes must be > 0"),
        (dict(batch_size=1000, max_iter=2), "fit", "Got `batch_size` less than 1"),
        (dict(max_iter=2), "fit", "Maximum iterations \\(2\\) reached"),
        (dict(), "partial_fit", "`y` has classes not in `self.classes_`"),
    ],
    ids=["hidden_layer_sizes", "batch_size", "max_iter", "unseen_classes"],
)
def test_errors_and_warnings_carry_mlps_sentence(settings, fit, expected):
    for Estimator in (MLPClassifier, BackpropClassifier):
        model = Estimator(random_state=0, **settings)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if fit == "fit":
                    model.fit(X_IRIS, Y_IRIS)
                else:
                    model.partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
                    model.partial_fit(X_IRIS[:2], [0, 7])
            except ValueError as error:
                messages = [str(error)]
            else:
                messages = [str(w.message) for w in caught]
        assert any(re.search(expected, m) for m in messages), (Estimator, messages)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_early_stopping_message_is_mlps(Estimator):
    model = Estimator(early_stopping=True, random_state=0, max_iter=5)
    model.fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="partial_fit does not support early_"):
        model.partial_fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="X_val and y_val"):
        model.partial_fit(X_IRIS, Y_IRIS)


# ----------------------------------------------------------------------
# Precision
# ----------------------------------------------------------------------


def test_lbfgs_multilabel_fits_the_training_labels_exactly():
    X, Y = make_multilabel_classification(n_samples=50, random_state=0)
    model = BackpropClassifier(optimizer="lbfgs", hidden_layer_sizes=30, random_state=0)
    model.fit(X, Y)
    proba = model.predict_proba(X)
    log_proba = model.predict_log_proba(X)
    assert_array_equal(model.predict(X), Y)
    assert_array_equal(proba > 0.5, Y)
    # Probabilities that round to 1 tie in both, so both rank labels alike.
    assert_array_equal(proba.argmax(axis=1), log_proba.argmax(axis=1))
    assert_allclose(log_proba, np.log(proba))


def test_float32_and_float64_training_agree_as_mlps_do():
    X, y = load_digits(n_class=2, return_X_y=True)
    settings = dict(
        alpha=1e-5, hidden_layer_sizes=(5, 3), random_state=1, max_iter=150, tol=1e-3
    )
    model_64 = BackpropRegressor(**settings).fit(X[:300], y[:300])
    model_32 = BackpropRegressor(**settings).fit(X[:300].astype(np.float32), y[:300])
    prediction_64 = model_64.predict(X[300:])
    prediction_32 = model_32.predict(X[300:].astype(np.float32))
    assert_allclose(prediction_64, prediction_32, rtol=5e-4)


def test_adam_moments_keep_float32_precision_when_the_gradient_dominates():
    # On the first step the moments are (1 - beta) * g and (1 - beta_2) * g**2:
    # float32 must hold them to a few units of its precision.
    grad = np.random.RandomState(0).normal(size=1000)
    states = {}
    for dtype in (np.float32, np.float64):
        params = np.zeros(1000, dtype)
        state = Adam().init(params)
        _, state = Adam().update(grad.astype(dtype), state, params, 1e-3)
        states[dtype] = state
    eps = np.finfo(np.float32).eps
    for key in ("m", "v"):
        assert_allclose(states[np.float32][key], states[np.float64][key], rtol=4 * eps)


# ----------------------------------------------------------------------
# Target tags of restricted losses
# ----------------------------------------------------------------------


def test_losses_that_reject_negative_targets_declare_it():
    assert get_tags(BackpropRegressor(loss="poisson")).target_tags.positive_only
    for loss in ["squared_error", "absolute_error", "huber", "quantile"]:
        assert not get_tags(BackpropRegressor(loss=loss)).target_tags.positive_only
    with pytest.raises(ValueError, match="negative"):
        BackpropRegressor(loss="poisson").fit(X_IRIS, -Y_IRIS - 1.0)


# ----------------------------------------------------------------------
# Divergence never leaves an unusable model
# ----------------------------------------------------------------------


def test_diverging_stream_keeps_the_last_usable_model():
    X, y = load_diabetes(return_X_y=True)
    X = X * 1e6
    model = BackpropRegressor(
        optimizer=SGD(momentum=0.9), learning_rate=1e3, random_state=0
    )
    diverged = False
    for start in range(0, 400, 40):
        before = fitted_state(model) if hasattr(model, "coefs_") else None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                model.partial_fit(X[start : start + 40], y[start : start + 40])
        except DivergenceError as error:
            assert "learning rate" in str(error)
            assert fitted_state(model) == before
            diverged = True
        assert np.isfinite(model.predict(X[start : start + 40])).all()
    assert diverged


def test_validation_outputs_that_overflow_raise_divergence_and_keep_no_model():
    model = BackpropRegressor(
        activation="identity",
        optimizer="sgd",
        learning_rate=1.0,
        max_iter=20,
        early_stopping=True,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(DivergenceError, match="clip_grad_norm"):
            model.fit(X_IRIS, Y_IRIS)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    assert issubclass(skprop.DivergenceError, ValueError)


# ----------------------------------------------------------------------
# L-BFGS with early stopping and callbacks
# ----------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_lbfgs_ignores_early_stopping_as_mlp(Estimator):
    settings = dict(optimizer="lbfgs", hidden_layer_sizes=(5,), max_iter=30)
    with_flag = Estimator(early_stopping=True, random_state=0, **settings)
    without = Estimator(random_state=0, **settings)
    with_flag.fit(X_IRIS, Y_IRIS)
    without.fit(X_IRIS, Y_IRIS)
    assert_array_equal(with_flag.coefs_[0], without.coefs_[0])
    assert with_flag.validation_scores_ is None


# ----------------------------------------------------------------------
# Nested parameters of a part given by name
# ----------------------------------------------------------------------


def test_nested_parameter_of_a_named_part_resolves_it_in_grid_search():
    model = BackpropClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    search = GridSearchCV(model, {"optimizer__beta_1": [0.5, 0.8]}, cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_IRIS, Y_IRIS)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    best = search.best_estimator_.optimizer
    assert isinstance(best, Adam)
    assert best.beta_1 == search.best_params_["optimizer__beta_1"]
    assert model.optimizer == "adam"
    tuned = BackpropClassifier().set_params(optimizer__beta_1=0.8)
    assert clone(tuned).get_params()["optimizer__beta_1"] == 0.8


def test_nested_parameter_of_a_part_without_one_says_what_to_pass():
    model = BackpropRegressor()
    with pytest.raises(ValueError, match=r"learning_rate=InvScaling"):
        model.set_params(learning_rate__power_t=0.25)
    assert model.learning_rate == 0.001
    with pytest.raises(ValueError, match="as an object"):
        model.set_params(optimizer="not_a_name", optimizer__beta_1=0.5)
    assert model.optimizer == "adam"


def test_mlp_regressor_translation_still_matches_mlp():
    # Guard for the order-sensitive parts changed above: Adam's moments are
    # MLP's to the last bit of rounding that matters at this tolerance.
    settings = dict(hidden_layer_sizes=(8,), random_state=0, max_iter=20)
    X, y = X_IRIS, Y_IRIS.astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = BackpropRegressor(**settings).fit(X, y)
        mlp = MLPRegressor(**settings).fit(X, y)
    assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-12)


# ----------------------------------------------------------------------
# Everyday inputs: clear errors, MLP's kinds of results
# ----------------------------------------------------------------------


def test_bad_classes_in_partial_fit_are_clear_value_errors():
    X, y = X_IRIS[:30], Y_IRIS[:30]
    for classes in ([], [[0, 1, 2]], ["a", 1, "c"]):
        with pytest.raises((ValueError, TypeError)) as error:
            BackpropClassifier().partial_fit(X, y, classes=classes)
        assert not isinstance(error.value, IndexError)
    model = BackpropClassifier().partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="is not the same as on last call to partial"):
        model.partial_fit(X, y, classes=[0, 1, 2, 3])


def test_validation_targets_of_the_wrong_shape_are_named():
    X, Y = make_multilabel_classification(n_samples=40, n_classes=3, random_state=0)
    with pytest.raises(ValueError, match="2-D with one column per label"):
        BackpropClassifier(max_iter=2).fit(X, Y, X_val=X, y_val=Y[:, 0])
    y2 = np.column_stack([Y_IRIS, Y_IRIS]).astype(float)
    with pytest.raises(ValueError, match="y_val has 3 outputs but the model has 2"):
        BackpropRegressor(max_iter=2).fit(
            X_IRIS, y2, X_val=X_IRIS, y_val=np.column_stack([y2, y2[:, 0]])
        )


def test_too_small_hold_out_says_so_as_mlp():
    # 30 rows of 3 classes: a hold-out of one row cannot be stratified.
    model = BackpropClassifier(early_stopping=True, validation_fraction=0.01)
    with pytest.raises(ValueError, match="The validation set is too small") as error:
        model.fit(X_IRIS[::5], Y_IRIS[::5])
    assert "classes_ []" not in str(error.value)


def test_regressor_column_target_warns_and_predicts_1d_as_mlp():
    from sklearn.exceptions import DataConversionWarning

    y = Y_IRIS.astype(float)[:, None]
    for Estimator in (BackpropRegressor, MLPRegressor):
        with pytest.warns(DataConversionWarning):
            model = Estimator(max_iter=2).fit(X_IRIS, y)
        assert model.predict(X_IRIS).shape == (150,)


def test_sparse_regression_targets_train_as_dense_ones():
    Y = np.column_stack([Y_IRIS, Y_IRIS % 2]).astype(float)
    settings = dict(hidden_layer_sizes=(5,), max_iter=3, random_state=0)
    dense = BackpropRegressor(**settings).fit(X_IRIS, Y)
    from_sparse = BackpropRegressor(**settings).fit(X_IRIS, sparse.csr_matrix(Y))
    assert_array_equal(from_sparse.coefs_[0], dense.coefs_[0])


def test_string_classes_have_mlps_dtype():
    y = pd.Series(np.array(["a", "b", "c"])[Y_IRIS], dtype=object)
    settings = dict(hidden_layer_sizes=(5,), max_iter=2, random_state=0)
    ours = BackpropClassifier(**settings).fit(X_IRIS, y)
    mlp = MLPClassifier(**settings).fit(X_IRIS, y)
    assert ours.classes_.dtype == mlp.classes_.dtype
    assert ours.predict(X_IRIS).dtype == mlp.predict(X_IRIS).dtype


def test_lbfgs_convergence_warning_carries_mlps_sentence():
    # scikit-learn 1.9's wording; older releases share its first words.
    expected = "Increase the number of iterations to improve the convergence"
    with pytest.warns(ConvergenceWarning, match=expected):
        BackpropClassifier(optimizer="lbfgs", max_iter=3).fit(X_IRIS, Y_IRIS)
    with pytest.warns(ConvergenceWarning, match="Increase the number of iter"):
        MLPClassifier(solver="lbfgs", max_iter=3).fit(X_IRIS, Y_IRIS)


def test_unknown_part_names_raise_scikit_learns_parameter_error():
    from sklearn.utils._param_validation import InvalidParameterError

    for settings in (dict(activation="foo"), dict(optimizer="foo")):
        with pytest.raises(InvalidParameterError, match="foo"):
            BackpropClassifier(**settings).fit(X_IRIS, Y_IRIS)
    with pytest.raises(InvalidParameterError, match="foo"):
        BackpropRegressor(loss="foo").fit(X_IRIS, Y_IRIS)
