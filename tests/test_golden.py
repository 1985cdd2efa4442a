"""The engine's results, pinned: every configuration of `tests/_golden.py`
refitted and compared with the stored fixture.

Bit for bit where the running environment (library versions, BLAS kernel and
threads, NumPy's SIMD targets) is one the fixture was computed in; within
`_golden.RTOL` elsewhere, a tolerance the stored environments are shown to
agree within."""

import itertools

import numpy as np
import pytest
from _golden import (
    configurations,
    differences,
    environment,
    load,
    results,
    same_bits,
    train,
)

STORED = load()
ENVIRONMENT = environment()
# The results computed in this very environment, if the fixture has them.
SAME_ENVIRONMENT = dict(STORED).get(ENVIRONMENT)


def _stored(name):
    if SAME_ENVIRONMENT is not None:
        return SAME_ENVIRONMENT[name]
    return STORED[0][1][name]


@pytest.mark.parametrize("name", sorted(configurations()))
def test_engine_results_are_unchanged(name):
    got = {name: results(train(*configurations()[name]))}
    stored = {name: _stored(name)}
    if SAME_ENVIRONMENT is not None:
        assert same_bits(got, stored), (
            f"{name} changed bit for bit in a stored environment: {ENVIRONMENT}"
        )
        return
    outside = [entry for entry in differences(got, stored) if not entry[2] <= 1]
    assert not outside, (
        f"{name} differs beyond the tolerance (1 = RTOL) in an environment the "
        f"fixture does not hold ({ENVIRONMENT}): {outside}"
    )


def test_fixture_covers_every_configuration():
    for env, stored in STORED:
        assert set(stored) == set(configurations()), env
    assert len(configurations()) >= 32


def test_stored_environments_agree_within_tolerance():
    # The fixture holds results of more than one BLAS kernel and SIMD target
    # set, which differ in their bits; the tolerance used elsewhere must
    # accept every pair of them, with room to spare.
    distinct = []
    for _, stored in STORED:
        if not any(same_bits(stored, seen) for seen in distinct):
            distinct.append(stored)
    assert len(distinct) >= 2
    for first, second in itertools.combinations(distinct, 2):
        assert not same_bits(first, second)
        worst = max(entry[2] for entry in differences(first, second))
        assert 0 < worst < 0.1


def _retrain(name, **changes):
    kind, settings, dtype, how = configurations()[name]
    return {name: results(train(kind, dict(settings, **changes), dtype, how))}


def test_a_one_ulp_change_changes_bits():
    # Bit-for-bit comparison catches a change of one unit in the last place
    # of a hyper-parameter that reaches the arithmetic. (A one-ulp change of
    # Adam's epsilon does not: sqrt(v) + epsilon rounds to the same number,
    # so no bit of the results moves and there is nothing to catch.)
    from skprop.optimizers import Adam

    name = "dropout-adam-relu-float64"
    reference = _retrain(name)
    beta_1 = np.nextafter(Adam().beta_1, 1.0)
    assert not same_bits(_retrain(name, optimizer=Adam(beta_1=beta_1)), reference)
    epsilon = np.nextafter(Adam().epsilon, 1.0)
    assert same_bits(_retrain(name, optimizer=Adam(epsilon=epsilon)), reference)


@pytest.mark.parametrize(
    "name, change",
    [("dropout-sgd-relu-float64", 1e-9), ("dropout-adam-elu-float32", 1e-3)],
)
def test_tolerance_catches_a_small_real_change(name, change):
    # A one-ulp change is as small as another kernel's rounding and passes
    # the tolerance; a learning rate off in its tenth significant digit
    # (float64) or fourth (float32) does not.
    reference = _retrain(name)
    changed = _retrain(name, learning_rate=1e-3 * (1 + change))
    assert max(entry[2] for entry in differences(changed, reference)) > 1


def test_no_configuration_comes_near_the_explosion_threshold():
    # Every golden run is healthy: its loss stays within a small factor of
    # where it started, far below the factor that ends training.
    from skprop._trainer import EXPLOSION

    for name, config in configurations().items():
        model = train(*config)
        if model._start_loss is None:  # L-BFGS: its line search never climbs
            continue
        assert max(model.loss_curve_) < 1e-4 * EXPLOSION * model._start_loss, name
