"""The engine's results, pinned: every configuration of `tests/_golden.py`
refitted and compared with the stored fixture."""

import numpy as np
import pytest
from _golden import FIXTURE, configurations, results, train, versions
from numpy.testing import assert_allclose

STORED = np.load(FIXTURE)
# Bit for bit with the libraries that wrote the fixture; another NumPy or
# SciPy may round BLAS and elementwise kernels differently, so there the
# results only agree closely.
SAME_LIBRARIES = str(STORED["versions"]) == versions()


@pytest.mark.parametrize("name", sorted(configurations()))
def test_engine_results_are_unchanged(name):
    got = results(train(*configurations()[name]))
    stored = {
        key.split("/", 1)[1]: STORED[key]
        for key in STORED.files
        if key.startswith(name + "/")
    }
    assert sorted(got) == sorted(stored)
    for key, value in got.items():
        if SAME_LIBRARIES:
            assert value.dtype == stored[key].dtype, key
            assert np.array_equal(value, stored[key]), key
        else:
            assert_allclose(value, stored[key], rtol=1e-4, atol=1e-6, err_msg=key)


def test_fixture_covers_every_configuration():
    names = {key.split("/", 1)[0] for key in STORED.files if "/" in key}
    assert names == set(configurations())
    assert len(names) >= 32
