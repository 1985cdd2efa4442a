"""skprop.from_mlp: MLP's parameters translated, MLP's trajectories followed,
and errors for MLP's names that point to the translation."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils._param_validation import InvalidParameterError

from skprop import BackpropClassifier, BackpropRegressor, from_mlp
from skprop._mlp import _SAME, RENAMED
from skprop.optimizers import LBFGS, SGD, Adam
from skprop.schedules import _REGISTRY, Adaptive, InvScaling

RNG = np.random.RandomState(0)
X = RNG.normal(size=(150, 5))
Y_CLASS = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int)
Y_COUNT = np.exp(0.3 * X[:, 0] + 0.2 * X[:, 1])
BASE = dict(hidden_layer_sizes=(8,), random_state=0, max_iter=40, batch_size=32)

# MLP settings whose trajectory the converted model must follow. Every
# setting that skprop names otherwise is away from MLP's default, so that a
# converter dropping it gives another trajectory (see the test after next).
CASES = {
    "sgd_nesterov": (
        MLPClassifier,
        dict(solver="sgd", momentum=0.5, learning_rate_init=0.05),
    ),
    "sgd_plain_momentum": (
        MLPClassifier,
        dict(
            solver="sgd",
            momentum=0.5,
            nesterovs_momentum=False,
            learning_rate_init=0.05,
        ),
    ),
    "adam": (
        MLPClassifier,
        dict(
            solver="adam",
            beta_1=0.8,
            beta_2=0.99,
            epsilon=1e-6,
            learning_rate_init=0.01,
        ),
    ),
    "lbfgs": (MLPClassifier, dict(solver="lbfgs", max_fun=25)),
    "invscaling": (
        MLPClassifier,
        dict(
            solver="sgd",
            learning_rate="invscaling",
            learning_rate_init=0.2,
            power_t=0.3,
        ),
    ),
    # tol and n_iter_no_change make the loss plateau: the rate is divided by
    # 5 until it falls below 1e-6, which stops training before max_iter.
    "adaptive": (
        MLPClassifier,
        dict(
            solver="sgd",
            learning_rate="adaptive",
            learning_rate_init=0.2,
            max_iter=100,
            tol=1e-2,
            n_iter_no_change=2,
        ),
    ),
    # MLP's schedules act on SGD only: with Adam, "adaptive" stops at the
    # first plateau as "constant" does.
    "adam_adaptive": (
        MLPClassifier,
        dict(
            solver="adam",
            learning_rate="adaptive",
            learning_rate_init=0.01,
            max_iter=100,
            tol=1e-2,
            n_iter_no_change=2,
        ),
    ),
    "early_stopping": (
        MLPClassifier,
        dict(
            early_stopping=True,
            validation_fraction=0.2,
            n_iter_no_change=3,
            learning_rate_init=0.01,
        ),
    ),
}

# MLPRegressor's loss parameter (Poisson) exists from scikit-learn 1.7 on.
if "loss" in MLPRegressor().get_params():
    CASES["poisson_regressor"] = (
        MLPRegressor,
        dict(solver="sgd", loss="poisson", learning_rate_init=0.01),
    )

# Agreement asked of the converted model. Observed: loss curves within
# 2e-15 (relative) and weights within 2e-15 for the stochastic solvers,
# within 6e-14 / 3e-13 for L-BFGS; the bounds leave room for other BLAS
# kernels, and are far below what a mistranslation changes.
RTOL_LOSS = 1e-9
ATOL_WEIGHTS = 1e-9


def fit_both(mlp):
    """(converted skprop model, MLP), both fitted on the same data."""
    y = Y_COUNT if isinstance(mlp, MLPRegressor) else Y_CLASS
    ours = from_mlp(mlp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ours.fit(X, y), mlp.fit(X, y)


def assert_same_training(ours, mlp):
    assert ours.n_iter_ == mlp.n_iter_
    if hasattr(mlp, "loss_curve_"):
        assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=RTOL_LOSS)
    assert ours.loss_ == pytest.approx(mlp.loss_, rel=RTOL_LOSS)
    for a, b in zip(ours.coefs_ + ours.intercepts_, mlp.coefs_ + mlp.intercepts_):
        assert_allclose(a, b, rtol=0, atol=ATOL_WEIGHTS)


@pytest.mark.parametrize("case", sorted(CASES))
def test_converted_model_follows_mlps_trajectory(case):
    MLP, settings = CASES[case]
    ours, mlp = fit_both(MLP(**{**BASE, **settings}))
    assert_same_training(ours, mlp)
    if "validation_fraction" in settings:
        assert_allclose(ours.validation_scores_, mlp.validation_scores_)


def perturbations():
    """(case, parameter) for each translated setting away from its default."""
    for case, (MLP, settings) in sorted(CASES.items()):
        defaults = MLP().get_params()
        for name, value in settings.items():
            # Stopping settings are not translated; with Adam, MLP's
            # schedule has no effect (tested on its own below).
            if name in ("max_iter", "tol", "n_iter_no_change"):
                continue
            if value != defaults[name] and (case, name) != (
                "adam_adaptive",
                "learning_rate",
            ):
                yield case, name


@pytest.mark.parametrize("case, name", list(perturbations()))
def test_a_dropped_setting_breaks_the_agreement(case, name):
    """The tolerance above sees each setting: MLP trained with one of them at
    its default does not match the model converted with it."""
    MLP, settings = CASES[case]
    default = MLP().get_params()[name]
    ours = from_mlp(MLP(**{**BASE, **settings}))
    _, mlp = fit_both(MLP(**{**BASE, **settings, name: default}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, Y_COUNT if MLP is MLPRegressor else Y_CLASS)
    with pytest.raises(AssertionError):
        assert_same_training(ours, mlp)


def test_adam_ignores_mlps_schedules_and_an_adaptive_one_would_not():
    MLP, settings = CASES["adam_adaptive"]
    model = from_mlp(MLP(**{**BASE, **settings}))
    assert model.learning_rate == 0.01
    _, mlp = fit_both(MLP(**{**BASE, **settings}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        adaptive = model.set_params(learning_rate=Adaptive(0.01)).fit(X, Y_CLASS)
    assert adaptive.n_iter_ != mlp.n_iter_


def test_every_mlp_parameter_is_translated():
    mlp_names = set(MLPClassifier().get_params()) | set(MLPRegressor().get_params())
    translated = set(_SAME) | set(RENAMED) | {"learning_rate", "loss"}
    # Every parameter MLP has is translated (loss: scikit-learn >= 1.7).
    assert mlp_names <= translated
    assert translated - mlp_names <= {"loss"}


@pytest.mark.parametrize(
    "settings, optimizer, learning_rate",
    [
        (dict(), Adam(), 0.001),
        (
            dict(solver="sgd", momentum=0.3, nesterovs_momentum=False),
            SGD(momentum=0.3, nesterov=False),
            0.001,
        ),
        (
            dict(solver="sgd", learning_rate="invscaling", power_t=0.25),
            SGD(),
            InvScaling(0.001, power_t=0.25),
        ),
        (
            dict(solver="sgd", learning_rate="adaptive", learning_rate_init=0.1),
            SGD(),
            Adaptive(0.1),
        ),
        (dict(learning_rate="invscaling", learning_rate_init=0.1), Adam(), 0.1),
        (dict(solver="lbfgs", max_fun=100), LBFGS(max_fun=100), 0.001),
        (dict(beta_1=0.5, beta_2=0.9, epsilon=1e-7), Adam(0.5, 0.9, 1e-7), 0.001),
    ],
)
def test_translation_of_each_row_of_the_table(settings, optimizer, learning_rate):
    model = from_mlp(settings, kind="classifier")
    assert isinstance(model, BackpropClassifier)
    assert repr(model.optimizer) == repr(optimizer)
    assert repr(model.learning_rate) == repr(learning_rate)


def test_same_names_keep_their_values_and_overrides_win():
    settings = dict(
        hidden_layer_sizes=(7, 3),
        activation="tanh",
        alpha=0.01,
        batch_size=17,
        max_iter=12,
        shuffle=False,
        random_state=4,
        tol=1e-3,
        verbose=True,
        warm_start=True,
        early_stopping=True,
        validation_fraction=0.3,
        n_iter_no_change=5,
    )
    # MLPRegressor's loss parameter exists from scikit-learn 1.7 on.
    loss = {"loss": "poisson"} if "loss" in MLPRegressor().get_params() else {}
    model = from_mlp(MLPRegressor(**loss, **settings), dropout=0.2, alpha=1.0)
    assert isinstance(model, BackpropRegressor)
    params = model.get_params()
    assert {name: params[name] for name in settings} == {**settings, "alpha": 1.0}
    assert params["loss"] == loss.get("loss", "squared_error")
    assert params["dropout"] == 0.2


def test_fitted_mlp_gives_an_unfitted_model_and_stays_as_it_was():
    mlp = MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, Y_CLASS)
    before = mlp.get_params()
    model = from_mlp(mlp)
    assert not hasattr(model, "coefs_")
    assert mlp.get_params() == before and hasattr(mlp, "coefs_")
    assert repr(clone(model)) == repr(model)


def test_random_state_object_is_copied_not_shared():
    state = np.random.RandomState(0)
    model = from_mlp(MLPClassifier(random_state=state))
    assert model.random_state is not state
    assert model.random_state.randint(1000) == state.randint(1000)


def test_unused_zero_validation_fraction_is_left_to_skprops_default():
    # MLP accepts 0 without early stopping (it is unused); skprop does not.
    model = from_mlp(MLPClassifier(validation_fraction=0.0))
    assert model.validation_fraction == BackpropClassifier().validation_fraction


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: from_mlp({"solver": "sgd"}), ValueError, "kind="),
        (lambda: from_mlp({}, kind="forest"), ValueError, "'classifier' or"),
        (lambda: from_mlp(MLPRegressor(), kind="classifier"), ValueError, "kind="),
        (lambda: from_mlp(BackpropClassifier()), TypeError, "MLPClassifier"),
        (lambda: from_mlp({"sovler": "sgd"}, kind="classifier"), TypeError, "sovler"),
        (lambda: from_mlp({"loss": "poisson"}, kind="classifier"), TypeError, "loss"),
        (
            lambda: from_mlp(MLPClassifier(solver="newton")),
            InvalidParameterError,
            "solver",
        ),
        (lambda: from_mlp(MLPClassifier(), momentum=0.5), TypeError, "'momentum'"),
        (lambda: from_mlp(MLPClassifier(), optimiser="sgd"), TypeError, "optimiser"),
    ],
)
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_kind_of_an_mlp_may_be_given():
    assert isinstance(from_mlp(MLPRegressor(), kind="regressor"), BackpropRegressor)
    assert isinstance(from_mlp({}, kind="regressor"), BackpropRegressor)


# ----------------------------------------------------------------------
# MLP's schedule names as skprop's learning_rate
# ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(_REGISTRY))
def test_schedule_name_trains_as_its_default_object(name):
    settings = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        by_name = BackpropClassifier(learning_rate=name, **settings).fit(X, Y_CLASS)
        by_object = BackpropClassifier(learning_rate=_REGISTRY[name](), **settings)
        by_object.fit(X, Y_CLASS)
    assert by_name.learning_rate == name
    assert_allclose(by_name.loss_curve_, by_object.loss_curve_, rtol=1e-12)


@pytest.mark.parametrize("name", ["constant", "invscaling", "adaptive"])
def test_mlp_schedule_name_with_sgd_trains_as_mlp(name):
    settings = dict(BASE, max_iter=60, tol=1e-2, n_iter_no_change=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier(solver="sgd", learning_rate=name, **settings)
        mlp.fit(X, Y_CLASS)
        ours = BackpropClassifier(optimizer="sgd", learning_rate=name, **settings)
        ours.fit(X, Y_CLASS)
    assert_same_training(ours, mlp)


def test_schedule_name_is_searchable_with_its_parameters():
    search = GridSearchCV(
        BackpropClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0),
        {"learning_rate": ["invscaling"], "learning_rate__power_t": [0.25, 0.5]},
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, Y_CLASS)
    best = search.best_estimator_.learning_rate
    assert isinstance(best, InvScaling)
    assert best.power_t == search.best_params_["learning_rate__power_t"]


def test_unknown_schedule_name_lists_the_names_and_the_converter():
    with pytest.raises(InvalidParameterError) as caught:
        BackpropClassifier(learning_rate="foo").fit(X, Y_CLASS)
    message = str(caught.value)
    assert "'foo'" in message and "skprop.from_mlp" in message
    assert all(repr(name) in message for name in _REGISTRY)


# ----------------------------------------------------------------------
# MLP's other names point to the converter
# ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(RENAMED))
def test_constructor_names_the_translation_of_mlps_parameter(name):
    with pytest.raises(TypeError, match="unexpected keyword argument") as caught:
        BackpropRegressor(**{name: MLPRegressor().get_params()[name]})
    message = str(caught.value)
    assert repr(name) in message and RENAMED[name] in message
    assert "skprop.from_mlp" in message


@pytest.mark.parametrize("name", sorted(RENAMED))
def test_set_params_names_the_translation_of_mlps_parameter(name):
    model = BackpropClassifier()
    before = model.get_params()
    value = MLPClassifier().get_params()[name]
    with pytest.raises(ValueError, match=f"Invalid parameter '{name}'") as caught:
        model.set_params(**{name: value})
    assert RENAMED[name] in str(caught.value)
    assert "skprop.from_mlp" in str(caught.value)
    assert model.get_params() == before


def test_grid_search_over_an_mlp_name_says_what_to_search_instead():
    search = GridSearchCV(BackpropClassifier(max_iter=2), {"momentum": [0.5]}, cv=2)
    with pytest.raises(ValueError, match="optimizer__momentum"):
        search.fit(X, Y_CLASS)


def test_other_unknown_names_keep_python_and_scikit_learns_errors():
    with pytest.raises(TypeError, match="unexpected keyword argument 'sovler'"):
        BackpropClassifier(sovler="sgd")
    with pytest.raises(ValueError, match="Valid parameters are"):
        BackpropClassifier().set_params(sovler="sgd")
