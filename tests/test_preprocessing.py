import doctest
import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.fixes import parse_version

from skprop import preprocessing
from skprop.preprocessing import (
    ConstantImputer,
    FrequencyEncoder,
    RobustSmoothScaler,
    TargetScaler,
)


@parametrize_with_checks(
    [
        RobustSmoothScaler(),
        RobustSmoothScaler(clip=None),
        TargetScaler(),
        ConstantImputer(),
        ConstantImputer(fill_value=-1.0, add_indicator=False),
    ]
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def smooth_clip(z, clip=3.0):
    return z / np.sqrt(1.0 + (z / clip) ** 2)


def test_known_values():
    # Column 0: median 2, quartiles 1 and 3. Column 1: IQR 0, half range 5.
    # Column 2: constant, scale 1.
    X = np.array(
        [
            [0.0, 0.0, 7.0],
            [1.0, 0.0, 7.0],
            [2.0, 0.0, 7.0],
            [3.0, 0.0, 7.0],
            [100.0, 10.0, 7.0],
        ]
    )
    scaler = RobustSmoothScaler().fit(X)
    assert_allclose(scaler.center_, [2.0, 0.0, 7.0])
    assert_allclose(scaler.scale_, [2.0, 5.0, 1.0])
    expected = np.column_stack(
        [
            smooth_clip(np.array([-1.0, -0.5, 0.0, 0.5, 49.0])),
            smooth_clip(np.array([0.0, 0.0, 0.0, 0.0, 2.0])),
            np.zeros(5),
        ]
    )
    assert_allclose(scaler.transform(X), expected)


def test_clip_none_is_robust_scaling():
    X = np.array([[0.0], [1.0], [2.0], [3.0], [100.0]])
    assert_allclose(
        RobustSmoothScaler(clip=None).fit_transform(X).ravel(),
        [-1.0, -0.5, 0.0, 0.5, 49.0],
    )


@pytest.mark.parametrize("clip", [1.0, 3.0])
def test_output_is_bounded(clip):
    rng = np.random.default_rng(0)
    X = rng.standard_cauchy((500, 3))
    Xt = RobustSmoothScaler(clip=clip).fit(X).transform(X * 1e6)
    assert np.all(np.abs(Xt) <= clip)
    assert np.abs(Xt).max() > 0.99 * clip
    moderate = RobustSmoothScaler(clip=clip).fit_transform(X[:, :1] % 2)
    assert np.all(np.abs(moderate) < clip)


def test_huge_values_do_not_overflow():
    X = np.array([[0.0], [1.0], [2.0], [1e300]], dtype=np.float64)
    Xt = RobustSmoothScaler().fit(X[:3]).transform(X)
    assert_allclose(Xt[-1], [3.0])


def test_nan_is_ignored_when_fitting_and_kept():
    X = np.array([[0.0, np.nan], [1.0, np.nan], [np.nan, np.nan], [3.0, np.nan]])
    scaler = RobustSmoothScaler().fit(X)
    assert_allclose(scaler.center_, [1.0, 0.0])
    assert_allclose(scaler.scale_, [1.5, 1.0])
    Xt = scaler.transform(X)
    assert_array_equal(np.isnan(Xt), np.isnan(X))


def test_float32_is_kept():
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    assert RobustSmoothScaler().fit_transform(X).dtype == np.float32


def test_pandas_nullable_and_feature_names():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"a": pd.array([1, None, 3, 5], dtype="Int64")})
    scaler = RobustSmoothScaler().fit(X)
    assert_allclose(scaler.center_, [3.0])
    assert np.isnan(scaler.transform(X)[1, 0])
    assert_array_equal(scaler.get_feature_names_out(), ["a"])


def test_invalid_clip():
    with pytest.raises(ValueError, match="clip"):
        RobustSmoothScaler(clip=0.0).fit(np.ones((3, 1)))


def test_docstring_examples():
    assert doctest.testmod(preprocessing).failed == 0


def test_target_scaler_standardises_and_clips_the_inverse():
    y = np.array([[1.0, 10.0], [2.0, 10.0], [4.0, 10.0]])
    scaler = TargetScaler().fit(y)
    scaled = scaler.transform(y)
    assert_allclose(scaled[:, 0].mean(), 0.0, atol=1e-12)
    assert_allclose(scaled[:, 0].std(), 1.0)
    # A constant column is centred and left unscaled.
    assert_allclose(scaled[:, 1], 0.0)
    assert_allclose(scaler.inverse_transform(scaled), y)
    wide = np.array([[10.0, 3.0], [-10.0, -3.0]])
    assert_allclose(scaler.inverse_transform(wide), [[4.0, 10.0], [1.0, 10.0]])
    unclipped = TargetScaler(clip=False).fit(y).inverse_transform(wide)
    assert unclipped[0, 0] > 4.0 and unclipped[1, 0] < 1.0


@pytest.mark.parametrize("add_indicator", [True, False])
def test_constant_imputer_equals_simple_imputer(add_indicator):
    from sklearn.impute import SimpleImputer

    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    X[rng.random((30, 4)) < 0.2] = np.nan
    # Entirely missing: left out, as SimpleImputer does from scikit-learn 1.8
    # on (before, it keeps the column filled and warns that this will change).
    empty_dropped = parse_version(sklearn.__version__) >= parse_version("1.8")
    if empty_dropped:
        X[:, 2] = np.nan
    X[:, 3] = 1.0
    names = np.array(["a", "b", "c", "d"], dtype=object)
    simple = SimpleImputer(
        strategy="constant", fill_value=0.0, add_indicator=add_indicator
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = simple.fit(X).transform(X[:7])
    ours = ConstantImputer(add_indicator=add_indicator).fit(X)
    assert_array_equal(ours.transform(X[:7]), expected)
    assert_array_equal(
        ours.get_feature_names_out(names), simple.get_feature_names_out(names)
    )


def test_frequency_encoder_known_values():
    X = np.array([["a", "x"], ["a", None], ["b", "x"], [np.nan, "x"]], dtype=object)
    encoder = FrequencyEncoder().fit(X)
    new = np.array([["b", "x"], ["z", None], [None, "new"]], dtype=object)
    assert_allclose(encoder.transform(new), [[0.25, 0.75], [0.0, 0.25], [0.25, 0.0]])


def test_constant_imputer_leaves_out_an_entirely_missing_column():
    X = np.array([[1.0, np.nan, 2.0], [np.nan, np.nan, 3.0]])
    ours = ConstantImputer(add_indicator=False).fit(X)
    assert_array_equal(ours.transform(X), [[1.0, 2.0], [0.0, 3.0]])
