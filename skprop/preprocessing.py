"""Preprocessing for tabular data fed to a network."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data


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
    feature_names_in_ : ndarray of shape (n_features_in_,)
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
