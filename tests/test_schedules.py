"""Learning-rate schedules: values, MLP semantics, use with every optimizer."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.neural_network import MLPClassifier

from skprop import BackpropClassifier
from skprop.callbacks import History
from skprop.optimizers import SGD
from skprop.schedules import (
    _REGISTRY,
    Adaptive,
    Constant,
    Cosine,
    CosLog,
    InvScaling,
    StepDecay,
)


def test_values():
    assert Constant(0.1).rate({}, epoch=7, t=500) == 0.1
    assert InvScaling(1.0, power_t=0.5).rate({}, epoch=1, t=99) == pytest.approx(0.1)
    assert StepDecay(1.0, step_size=2, gamma=0.5).rate({}, epoch=5, t=0) == 0.25
    assert Cosine(1.0, max_iter=4, eta_min=0.2).rate({}, epoch=4, t=0) == 0.2
    assert Cosine(1.0, max_iter=4).rate({}, epoch=0, t=0) == 1.0
    coslog = CosLog(1.0, max_iter=10)
    for epoch in (0, 3, 9, 12):
        progress = (min(epoch, 9) + 0.5) / 10
        expected = 0.5 * (1 - np.cos(2 * np.pi * np.log2(1 + 15 * progress)))
        assert coslog.rate({}, epoch=epoch, t=0) == pytest.approx(expected)


def test_adaptive_divides_by_five_then_stops():
    schedule = Adaptive(1e-5)
    state = schedule.init()
    stop, state = schedule.plateau(state)
    assert not stop and schedule.rate(state, 0, 0) == pytest.approx(2e-6)
    stop, state = schedule.plateau(state)
    assert not stop and schedule.rate(state, 0, 0) == pytest.approx(4e-7)
    stop, _ = schedule.plateau(state)
    assert stop


@pytest.mark.parametrize("name", sorted(_REGISTRY))
def test_clonable_and_unchanged_by_training(name):
    schedule = _REGISTRY[name](0.01)
    assert clone(schedule).get_params() == schedule.get_params()
    X = np.random.RandomState(0).normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    # The pickle holds every attribute, so it also sees state stored by fit.
    before = pickle.dumps(schedule)
    BackpropClassifier(hidden_layer_sizes=(4,), learning_rate=schedule, max_iter=3).fit(
        X, y
    )
    assert pickle.dumps(schedule) == before


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_schedule_drives_the_rate_of_every_optimizer(optimizer):
    history = History()
    X = np.random.RandomState(0).normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    BackpropClassifier(
        hidden_layer_sizes=(4,),
        optimizer=optimizer,
        learning_rate=StepDecay(0.1, step_size=2, gamma=0.5),
        max_iter=5,
        callbacks=[history],
    ).fit(X, y)
    assert_allclose(
        [r["learning_rate"] for r in history.records_], [0.1, 0.1, 0.05, 0.05, 0.025]
    )


@pytest.mark.parametrize("schedule", ["invscaling", "adaptive"])
def test_sgd_schedules_match_mlp(schedule):
    """Same data, seed and settings: the same training trajectory as MLP."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 5))
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int)
    settings = dict(
        hidden_layer_sizes=(8,),
        random_state=0,
        max_iter=60,
        batch_size=32,
        tol=1e-3,
        n_iter_no_change=3,
    )
    mlp = MLPClassifier(
        solver="sgd",
        learning_rate=schedule,
        learning_rate_init=0.2,
        power_t=0.3,
        **settings,
    ).fit(X, y)
    ours = BackpropClassifier(
        optimizer=SGD(momentum=0.9, nesterov=True),
        learning_rate=(
            InvScaling(0.2, power_t=0.3) if schedule == "invscaling" else Adaptive(0.2)
        ),
        **settings,
    ).fit(X, y)
    assert ours.n_iter_ == mlp.n_iter_
    assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-6)


@pytest.mark.parametrize("period, epochs", [(5, 10), (20, 10)])
def test_a_schedule_period_other_than_max_iter_warns(period, epochs):
    X, y = np.random.RandomState(0).normal(size=(60, 3)), np.arange(60) % 2
    model = BackpropClassifier(
        hidden_layer_sizes=(4,),
        max_iter=epochs,
        learning_rate=Cosine(0.01, max_iter=period),
        random_state=0,
    )
    with pytest.warns(UserWarning, match=f"learning_rate__max_iter={epochs}"):
        model.fit(X, y)


def test_a_matching_schedule_period_does_not_warn():
    import warnings

    X, y = np.random.RandomState(0).normal(size=(60, 3)), np.arange(60) % 2
    model = BackpropClassifier(
        hidden_layer_sizes=(4,),
        max_iter=10,
        learning_rate=Cosine(0.01, max_iter=10),
        random_state=0,
    )
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
        # A stream trains one epoch a call: no period to compare.
        model.partial_fit(X, y)
