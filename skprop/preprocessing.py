"""Preprocessing for tabular data fed to a network."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    clone,
)
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    FLOAT_DTYPES,
    _check_feature_names_in,
    check_array,
    check_is_fitted,
    validate_data,
)

# scikit-learn 1.5 to 1.8 keep the remainder's columns in a private list
# type unless told not to; skops would ask to trust it.
_PLAIN_REMAINDER = (
    {"force_int_remainder_cols": False}
    if "force_int_remainder_cols" in ColumnTransformer([]).get_params()
    else {}
)


class RobustSmoothScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Centre on the median, divide by the interquartile range, then clip
    smoothly.

    Each feature becomes ``z = (x - median) / IQR``, the IQR being the 0.75
    quantile minus the 0.25 quantile, and then ``clip * u / sqrt(1 + u**2)``
    with ``u = z / clip`` (that is ``z / sqrt(1 + (z / clip)**2)``): close to
    `z` near the median and never beyond `clip`, so that outliers cannot
    dominate a network's first layer. This is the preprocessing of RealMLP
    (Holzmüller et al., 2024).

    Where a feature's IQR is 0 (a binary or mostly constant feature), half
    its range, ``(max - min) / 2``, is used instead, so that its values still
    spread over a few units; where that is 0 too (a constant feature), 1.

    Missing values (NaN) are ignored when fitting and kept by `transform`, so
    an imputer may come after the scaler: since the median maps to 0,
    imputing 0 after scaling equals imputing the median before it. A feature
    that is entirely missing when fitting is centred on 0 and scaled by 1.

    Parameters
    ----------
    clip : float or None, default=3.0
        Bound of the smooth clipping; None leaves ``(x - median) / IQR`` as it
        is. In floating point, values very far out may reach `clip` itself.

    Attributes
    ----------
    center_ : ndarray of shape (n_features,)
        Median of each feature.
    scale_ : ndarray of shape (n_features,)
        Interquartile range of each feature, or its fallback.
    n_features_in_ : int
        Number of features seen during `fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during `fit`, when they are all strings.

    See Also
    --------
    sklearn.preprocessing.RobustScaler : The same centring and scaling,
        without the clipping.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop.preprocessing import RobustSmoothScaler
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [100.0], [np.nan]])
    >>> RobustSmoothScaler().fit_transform(X).round(3).ravel()
    array([-0.949, -0.493,  0.   ,  0.493,  2.994,    nan])
    """

    _parameter_constraints = {
        "clip": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(self, clip=3.0):
        self.clip = clip

    def fit(self, X, y=None):
        """Learn each feature's median and interquartile range.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data; NaN values are ignored.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted scaler.
        """
        self._validate_params()
        X = validate_data(self, X, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan")
        self.center_, self.scale_ = _robust_center_scale(X)
        return self

    def transform(self, X):
        """Scale and smoothly clip `X`; NaN stays NaN.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_scaled : ndarray of shape (n_samples, n_features)
            Of the input's float dtype (float32 stays float32).
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan"
        )
        scaled = (X - self.center_.astype(X.dtype)) / self.scale_.astype(X.dtype)
        if self.clip is None:
            return scaled
        # u / hypot(1, u) is u / sqrt(1 + u**2) without overflow for large u.
        relative = scaled / X.dtype.type(self.clip)
        return self.clip * (relative / np.hypot(1, relative))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _robust_center_scale(X):
    """Median and IQR of each column (with fallbacks), ignoring NaN."""
    n_features = X.shape[1]
    center = np.zeros(n_features)
    scale = np.ones(n_features)
    observed = ~np.isnan(X).all(axis=0)
    if not observed.any():
        return center, scale
    columns = X[:, observed].astype(np.float64)
    lower, median, upper = np.nanquantile(columns, [0.25, 0.5, 0.75], axis=0)
    half_range = 0.5 * (np.nanmax(columns, axis=0) - np.nanmin(columns, axis=0))
    iqr = upper - lower
    spread = np.where(iqr > 0, iqr, np.where(half_range > 0, half_range, 1.0))
    center[observed] = median
    scale[observed] = spread
    return center, scale


class TargetScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Standardise regression targets; clip predictions to the training range.

    Meant as the ``transformer`` of a
    `~sklearn.compose.TransformedTargetRegressor`: `transform` standardises
    (mean 0, standard deviation 1 per column), and `inverse_transform`
    brings a network's outputs back to the targets' scale and, with
    ``clip=True``, into ``[min, max]`` of the targets seen by `fit`, so that
    a prediction never leaves the range the network was trained on.

    Parameters
    ----------
    clip : bool, default=True
        Whether `inverse_transform` clips to the training range.

    Attributes
    ----------
    mean_, scale_ : ndarray of shape (n_features,)
        Mean and standard deviation (1 where it is 0) of each column.
    min_, max_ : ndarray of shape (n_features,)
        Range of each column when fitting.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skprop.preprocessing import TargetScaler
    >>> scaler = TargetScaler().fit(np.array([[1.0], [2.0], [3.0]]))
    >>> scaler.inverse_transform(np.array([[0.0], [5.0]])).ravel()
    array([2., 3.])
    """

    _parameter_constraints = {"clip": ["boolean"]}

    def __init__(self, clip=True):
        self.clip = clip

    def fit(self, X, y=None):
        """Learn each column's mean, standard deviation and range.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        self._validate_params()
        X = validate_data(self, X, dtype=FLOAT_DTYPES)
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        self.min_, self.max_ = X.min(axis=0), X.max(axis=0)
        return self

    def transform(self, X):
        """Standardise `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_scaled : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=FLOAT_DTYPES)
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, X):
        """Back to the targets' scale, clipped to their range with `clip`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=FLOAT_DTYPES)
        original = X * self.scale_ + self.mean_
        if self.clip:
            np.clip(original, self.min_, self.max_, out=original)
        return original


class ConstantImputer(TransformerMixin, BaseEstimator):
    """Fill missing values with a constant and append missing-value indicators.

    The same output as scikit-learn's
    ``SimpleImputer(strategy="constant", fill_value=fill_value,
    add_indicator=add_indicator)``, with plain arrays as fitted state: each
    feature with its NaN replaced by `fill_value`, features that were
    entirely missing when fitting left out (as `SimpleImputer` does), then,
    with `add_indicator`, a 0/1 column for each feature that had missing
    values when fitting.

    Parameters
    ----------
    fill_value : float, default=0.0
        The value that replaces NaN.
    add_indicator : bool, default=True
        Whether to append the indicator columns.

    Attributes
    ----------
    observed_ : ndarray of shape (n_observed,)
        Indices of the features kept (those with an observed value).
    indicator_features_ : ndarray of shape (n_indicators,)
        Indices of the features with missing values when fitting, whose
        indicators are appended (empty without `add_indicator`).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during `fit`, when they are all strings.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop.preprocessing import ConstantImputer
    >>> X = np.array([[1.0, np.nan], [np.nan, 2.0], [3.0, 4.0]])
    >>> ConstantImputer().fit_transform(X)
    array([[1., 0., 0., 1.],
           [0., 2., 1., 0.],
           [3., 4., 0., 0.]])
    """

    _parameter_constraints = {
        "fill_value": [Real],
        "add_indicator": ["boolean"],
    }

    def __init__(self, fill_value=0.0, add_indicator=True):
        self.fill_value = fill_value
        self.add_indicator = add_indicator

    def fit(self, X, y=None):
        """Find the features with missing values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        self._validate_params()
        X = validate_data(self, X, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan")
        missing = np.isnan(X)
        self.observed_ = np.flatnonzero(~missing.all(axis=0))
        with_missing = missing.any(axis=0)
        self.indicator_features_ = np.flatnonzero(with_missing & self.add_indicator)
        return self

    def transform(self, X):
        """Fill NaN and append the indicators.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_filled : ndarray of shape (n_samples, n_observed + n_indicators)
            Of the input's float dtype.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan"
        )
        missing = np.isnan(X)
        filled = np.where(missing, X.dtype.type(self.fill_value), X)
        indicators = missing[:, self.indicator_features_].astype(X.dtype)
        return np.hstack([filled[:, self.observed_], indicators])

    def get_feature_names_out(self, input_features=None):
        """The kept features' names, then ``missingindicator_<name>``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        missing = names[self.indicator_features_]
        indicators = ["missingindicator_" + name for name in missing]
        return np.asarray([*names[self.observed_], *indicators], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class MissingAsNaN(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """pandas' missing values (``NA``, ``None``, ``NaT``) as NaN.

    `~sklearn.preprocessing.OneHotEncoder` takes NaN, not ``pd.NA``, for a
    category of its own. A pandas DataFrame comes out as a frame of objects
    with NaN where a value is missing; anything else passes unchanged.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during `fit`, when they are all strings.

    Examples
    --------
    >>> import pandas as pd
    >>> from skprop.preprocessing import MissingAsNaN
    >>> X = pd.DataFrame({"s": pd.array(["a", None], dtype="string")})
    >>> MissingAsNaN().fit_transform(X)["s"].tolist()
    ['a', nan]
    """

    def fit(self, X, y=None):
        """Record the number and names of the features.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        validate_data(self, X, skip_check_array=True)
        return self

    def transform(self, X):
        """Missing values as NaN.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        X_out : DataFrame of objects, or `X` itself
        """
        check_is_fitted(self)
        return _missing_as_nan(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags


def _missing_as_nan(X):
    """A pandas frame's missing values as NaN, in a frame of objects."""
    if not hasattr(X, "iloc"):
        return X
    values = X.astype(object)
    return values.where(values.notna(), np.nan)


class AsFloat32(TransformerMixin, BaseEstimator):
    """The features as float32 (dense or sparse), for a network that trains
    in float32.

    Stateless: `transform` needs no `fit` and takes any number of features.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop.preprocessing import AsFloat32
    >>> AsFloat32().fit_transform(np.ones((2, 3))).dtype
    dtype('float32')
    """

    def fit(self, X, y=None):
        """Record the number and names of the features.

        Parameters
        ----------
        X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        validate_data(self, X, skip_check_array=True)
        return self

    def transform(self, X):
        """`X` as float32.

        Parameters
        ----------
        X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        X_float32 : ndarray or sparse matrix of shape (n_samples, n_features)
        """
        return check_array(
            X, accept_sparse=True, dtype=np.float32, ensure_all_finite=False
        )

    def get_feature_names_out(self, input_features=None):
        """The input features' names, unchanged.

        Parameters
        ----------
        input_features : array-like of str or None, default=None

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        return _check_feature_names_in(self, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        tags.requires_fit = False
        return tags


class DatetimeFeatures(TransformerMixin, BaseEstimator):
    """Date and time columns as numbers.

    Each column becomes five features: ``<name>_epoch``, seconds since
    1970-01-01 (UTC for time-zone-aware columns), the trend; ``_month``
    (1-12), ``_day`` (of the month, 1-31), ``_weekday`` (Monday 0 to Sunday
    6) and ``_hour`` (of the day, with fractions), the seasons. A missing
    time (``NaT``, null) gives NaN in all five.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen during `fit`, when they are all strings.

    Examples
    --------
    >>> import pandas as pd
    >>> from skprop.preprocessing import DatetimeFeatures
    >>> X = pd.DataFrame({"t": pd.to_datetime(["2024-03-01 06:30", None])})
    >>> DatetimeFeatures().fit_transform(X)[0].tolist()
    [1709274600.0, 3.0, 1.0, 4.0, 6.5]
    """

    _PARTS = ("epoch", "month", "day", "weekday", "hour")

    def fit(self, X, y=None):
        """Record the number and names of the columns.

        Parameters
        ----------
        X : DataFrame or ndarray of datetime64, shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        validate_data(self, X, skip_check_array=True)
        return self

    def transform(self, X):
        """The five features of each column.

        Parameters
        ----------
        X : DataFrame or ndarray of datetime64, shape (n_samples, n_features)

        Returns
        -------
        features : ndarray of shape (n_samples, 5 * n_features)
        """
        check_is_fitted(self)
        columns = [_time_features(times) for times in _datetime_columns(X)]
        return np.hstack(columns) if columns else np.zeros((len(X), 0))

    def get_feature_names_out(self, input_features=None):
        """``<name>_epoch``, ``_month``, ``_day``, ``_weekday``, ``_hour``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        return np.asarray(
            [f"{name}_{part}" for name in names for part in self._PARTS], dtype=object
        )


def _datetime_columns(X):
    """Each column of `X` as a datetime64[ns] array (UTC if time-zone aware)."""
    if hasattr(X, "iloc"):
        columns = []
        for name in X.columns:
            column = X[name]
            if getattr(column.dt, "tz", None) is not None:
                column = column.dt.tz_convert(None)
            columns.append(column.to_numpy(dtype="datetime64[ns]"))
        return columns
    if _is_polars(X):
        return [X[name].to_numpy().astype("datetime64[ns]") for name in X.columns]
    X = np.asarray(X)
    return [X[:, j].astype("datetime64[ns]") for j in range(X.shape[1])]


def _time_features(times):
    """Epoch seconds, month, day, weekday and hour of datetime64 values."""
    days = times.astype("datetime64[D]")
    months = times.astype("datetime64[M]")
    epoch = times.astype("datetime64[s]").astype(np.int64).astype(np.float64)
    month = months.astype(np.int64) % 12 + 1
    day = (days - months).astype(np.int64) + 1
    # 1970-01-01 was a Thursday, weekday 3.
    weekday = (days.astype(np.int64) + 3) % 7
    hour = (times - days) / np.timedelta64(1, "h")
    features = np.column_stack([epoch, month, day, weekday, hour]).astype(np.float64)
    features[np.isnat(times)] = np.nan
    return features


class FrequencyEncoder(TransformerMixin, BaseEstimator):
    """Each categorical value as its share of the training rows.

    One feature per column, for columns with too many distinct values to
    one-hot encode: a value's frequency when fitting, missing values
    counting as one value of their own, and 0 for a value not seen then.

    Attributes
    ----------
    encoder_ : OrdinalEncoder
        The values seen when fitting, in the order of `frequencies_`.
    frequencies_ : list of ndarray
        For each column, the share of the rows with each value.
    missing_frequencies_ : ndarray of shape (n_features,)
        For each column, the share of the rows with a missing value.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen during `fit`, when they are all strings.

    Examples
    --------
    >>> import numpy as np
    >>> from skprop.preprocessing import FrequencyEncoder
    >>> X = np.array([["a"], ["a"], ["b"], [None]], dtype=object)
    >>> FrequencyEncoder().fit(X).transform(np.array([["a"], ["z"], [None]])).ravel()
    array([0.5 , 0.  , 0.25])
    """

    def fit(self, X, y=None):
        """Count each column's values.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        validate_data(self, X, skip_check_array=True)
        self.encoder_ = OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=_UNKNOWN,
            encoded_missing_value=_MISSING,
        )
        codes = self.encoder_.fit_transform(_nan_for_missing(X)).astype(np.int64)
        self.frequencies_ = [
            np.bincount(column[column >= 0], minlength=len(categories)) / len(column)
            for column, categories in zip(codes.T, self.encoder_.categories_)
        ]
        self.missing_frequencies_ = (codes == _MISSING).mean(axis=0)
        return self

    def transform(self, X):
        """Each value's training frequency.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        frequencies : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        codes = self.encoder_.transform(_nan_for_missing(X)).astype(np.int64)
        columns = []
        for column, frequencies, missing in zip(
            codes.T, self.frequencies_, self.missing_frequencies_
        ):
            seen = frequencies[np.maximum(column, 0)] if len(frequencies) else 0.0
            columns.append(
                np.where(column >= 0, seen, np.where(column == _MISSING, missing, 0.0))
            )
        return np.column_stack(columns).astype(np.float64)

    def get_feature_names_out(self, input_features=None):
        """``<name>_frequency`` for each column.

        Parameters
        ----------
        input_features : array-like of str or None, default=None

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        return np.asarray([f"{name}_frequency" for name in names], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags


_UNKNOWN, _MISSING = -1, -2


def _nan_for_missing(X):
    """`X` as an array with NaN for every kind of missing value (None, NA)."""
    X = check_array(_missing_as_nan(X), dtype=None, ensure_all_finite=False)
    if X.dtype.kind != "O":
        return X
    return np.where(np.vectorize(_is_missing, otypes=[bool])(X), np.nan, X)


def _is_polars(X):
    """Whether `X` is a polars DataFrame (without importing polars)."""
    return type(X).__module__.startswith("polars")


class TabularPreprocessor(TransformerMixin, BaseEstimator):
    """Numeric, date, categorical and high-cardinality columns, each encoded
    for a network.

    `fit` sorts the columns of the data it is given by kind and builds a
    `~sklearn.compose.ColumnTransformer` of the branches that have columns
    (``column_transformer_``), selecting columns by name (by position in an
    array):

    - ``num``, numeric columns, go through `num`;
    - ``date``, date and time columns, through `DatetimeFeatures` and then
      a copy of `num`;
    - ``cat``, every other column (category, string, object, boolean), goes
      through `cat`;
    - ``freq``, categorical columns with more than `max_categories` distinct
      values (an identifier, a free-text field), through `FrequencyEncoder`
      and then a copy of `num`, with a warning naming them: a one-hot block
      of hundreds of mostly rare values would add hundreds of inputs that
      mostly memorise rows.

    A DataFrame's columns are sorted by dtype; an array is numeric unless
    its dtype is datetime64 (all columns dates), object or string (all
    columns categorical).

    Parameters
    ----------
    num : transformer or None, default=None
        The numeric branch; None is `RobustSmoothScaler` then
        `ConstantImputer` (fill 0, the median once scaled, with indicators).
    cat : transformer or None, default=None
        The categorical branch; None is `MissingAsNaN` then a one-hot
        encoder of every category of the column (at most `max_categories`
        of them), a missing value being a category of its own; a category
        unseen in `fit` encodes as all zeros.
    max_categories : int, default=256
        The most distinct values a categorical column may have to go to
        `cat`; columns with more go to ``freq``.

    Attributes
    ----------
    column_transformer_ : ColumnTransformer
        The fitted branches, with the columns of each.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen during `fit`, when they are all strings.

    Examples
    --------
    >>> import pandas as pd
    >>> from skprop.preprocessing import TabularPreprocessor
    >>> X = pd.DataFrame({"size": [1.0, None, 3.0], "colour": ["red", "blue", None]})
    >>> TabularPreprocessor().fit(X).get_feature_names_out().tolist()
    ['num__size', 'num__missingindicator_size', 'cat__colour_blue', \
'cat__colour_red', 'cat__colour_nan']
    """

    _parameter_constraints = {
        "num": [HasMethods(["fit", "transform"]), None],
        "cat": [HasMethods(["fit", "transform"]), None],
        "max_categories": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, num=None, cat=None, max_categories=256):
        self.num = num
        self.cat = cat
        self.max_categories = max_categories

    def fit(self, X, y=None):
        """Sort the columns by kind and fit the branches.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        """Fit the branches and return the encoded features.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
        """
        _check_tabular(X)
        self._validate_params()
        validate_data(self, X, skip_check_array=True)
        kinds = _column_kinds(X, self.max_categories)
        _warn_high_cardinality(kinds["freq"], self.max_categories)
        column_transformer = ColumnTransformer(
            [
                (kind, self._branch(kind), columns)
                for kind, columns in kinds.items()
                if len(columns)
            ],
            **_PLAIN_REMAINDER,
        )
        features = column_transformer.fit_transform(X)
        # Stored once fitted: a refit that fails keeps the previous one.
        self.column_transformer_ = column_transformer
        return features

    def transform(self, X):
        """Encode `X` with the fitted branches.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
        """
        check_is_fitted(self)
        _check_tabular(X)
        return self.column_transformer_.transform(X)

    def get_feature_names_out(self, input_features=None):
        """Names of the encoded features, prefixed by their branch.

        Parameters
        ----------
        input_features : None
            Ignored; the names seen by `fit` are used.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return self.column_transformer_.get_feature_names_out()

    def _branch(self, kind):
        """A fresh transformer for the columns of one kind."""
        numeric = clone(self.num) if self.num is not None else _numeric_branch()
        if kind == "num":
            return numeric
        if kind == "date":
            return Pipeline([("datetime", DatetimeFeatures()), ("num", numeric)])
        if kind == "freq":
            return Pipeline([("frequency", FrequencyEncoder()), ("num", numeric)])
        return clone(self.cat) if self.cat is not None else _categorical_branch()

    @available_if(lambda self: hasattr(self, "column_transformer_"))
    def _sk_visual_block_(self):
        # Once fitted, notebooks show the branches that were built, with
        # their columns.
        return self.column_transformer_._sk_visual_block_()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags


def _numeric_branch():
    """The default numeric branch: scale, then impute 0 with indicators."""
    return Pipeline([("scale", RobustSmoothScaler()), ("impute", ConstantImputer())])


def _categorical_branch():
    """The default categorical branch: missing as NaN, then one-hot, every
    category (`TabularPreprocessor.max_categories` already sent columns with
    more to the frequency branch)."""
    onehot = OneHotEncoder(
        handle_unknown="infrequent_if_exist", max_categories=None, sparse_output=False
    )
    return Pipeline([("na", MissingAsNaN()), ("onehot", onehot)])


def _check_tabular(X):
    """Raise a TypeError for arrays of an Array API library other than NumPy."""
    module = type(X).__module__.split(".")[0]
    if module == "scipy":
        raise TypeError(
            "The tabular recipe takes dense data (NumPy arrays, pandas or "
            "polars DataFrames), not a sparse matrix: pass X.toarray(), or give "
            "sparse data to BackpropClassifier / BackpropRegressor directly."
        )
    if isinstance(X, np.ndarray) or module in ("pandas", "polars"):
        return
    if hasattr(X, "__array_namespace__") or module in ("torch", "cupy", "jax"):
        raise TypeError(
            f"The tabular recipe takes NumPy arrays and pandas or polars "
            f"DataFrames, not {module} arrays: its preprocessing runs on "
            f"NumPy. Pass np.asarray(X), or give Array API arrays to "
            f"BackpropClassifier / BackpropRegressor directly."
        )


def _column_kinds(X, max_categories):
    """The columns of each kind, ``num``, ``date``, ``cat`` and ``freq``, as
    names for a frame with string column names, else as positions."""
    if hasattr(X, "iloc"):
        kinds = _frame_kinds(X)
    elif _is_polars(X):
        kinds = [_polars_kind(dtype) for dtype in X.schema.values()]
    else:
        X = np.asarray(X)
        kind = {"M": "date", "O": "cat", "U": "cat", "S": "cat"}.get(X.dtype.kind)
        kinds = [kind or "num"] * X.shape[1]
    names = getattr(X, "columns", None)
    if names is None or not all(isinstance(name, str) for name in names):
        names = range(len(kinds))
    columns = {"num": [], "date": [], "cat": [], "freq": []}
    for position, (name, kind) in enumerate(zip(names, kinds)):
        if kind == "cat" and _n_distinct(X, position) > max_categories:
            kind = "freq"
        columns[kind].append(name)
    return columns


def _frame_kinds(X):
    """The kind of each column of a pandas DataFrame."""
    # Selecting by "number" avoids naming string dtypes, whose names differ
    # between pandas 2 and 3.
    numeric = set(X.select_dtypes(include="number").columns)
    dates = set(X.select_dtypes(include=["datetime", "datetimetz"]).columns)
    return [
        "num" if name in numeric else "date" if name in dates else "cat"
        for name in X.columns
    ]


def _polars_kind(dtype):
    """The kind of a polars column."""
    if dtype.is_numeric():
        return "num"
    return "date" if type(dtype).__name__ in ("Date", "Datetime") else "cat"


def _n_distinct(X, position):
    """The number of distinct non-missing values in a column."""
    if hasattr(X, "iloc"):
        return X.iloc[:, position].nunique()
    if _is_polars(X):
        return X.to_series(position).drop_nulls().n_unique()
    return len({value for value in X[:, position] if not _is_missing(value)})


def _is_missing(value):
    """Whether a value of an object array is None or NaN."""
    return value is None or (isinstance(value, float) and np.isnan(value))


def _warn_high_cardinality(columns, max_categories):
    """Warn that `columns` are encoded by frequency rather than one-hot."""
    if columns:
        warnings.warn(
            f"The categorical column(s) {', '.join(map(repr, columns))} have more "
            f"than max_categories={max_categories} distinct values: each is "
            f"encoded by its values' frequencies (one feature), not one-hot. "
            f"Drop an identifier; raise max_categories (prep__max_categories "
            f"in the tabular recipe) to one-hot encode.",
            UserWarning,
            stacklevel=4,
        )
