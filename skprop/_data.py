"""Training and validation data as the trainer takes them: sample weights,
an explicit validation set or the early-stopping hold-out, the batch size.

Each function takes the estimator, whose parameters and fitted feature
checks (`validate_data`) the data must satisfy, and what they need of its
targets (`skprop._labels.ClassTargets` or `ValueTargets`).
"""

import warnings

import numpy as np
from scipy import sparse
from sklearn.model_selection import train_test_split
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _check_sample_weight, validate_data

from skprop._numeric import array_namespace


def training_data(
    estimator, targets, train, validation, early_stopping, incremental, rng, dtype
):
    """Training and validation data as the trainer takes them.

    Parameters
    ----------
    estimator : BaseBackprop
    targets : ClassTargets or ValueTargets
    train : tuple
        ``(X, Y, sample_weight, labels)``, validated but for the weights.
    validation : tuple
        ``(X_val, y_val, sample_weight_val)`` as the user gave them.
    early_stopping : bool
        Whether early stopping applies (it does not with L-BFGS).
    incremental : bool
    rng : RandomState
        Draws the hold-out.
    dtype : numpy.dtype
        The dtype of `X`, on the host.

    Returns
    -------
    train, val : tuple
        ``(X, Y, sample_weight)`` each; `val` is None without validation.
    """
    X, Y, sample_weight, labels = train
    sample_weight = training_weights(
        targets, sample_weight, X, labels, incremental, dtype
    )
    return split(
        estimator,
        targets,
        (X, Y, sample_weight),
        validation,
        early_stopping,
        incremental,
        rng,
        dtype,
    )


def _on_host(X, dtype):
    """`X` where it is a NumPy or sparse array, else a NumPy stand-in of
    its rows (no columns), so host-side weights are checked against it."""
    if isinstance(X, np.ndarray) or sparse.issparse(X):
        return X
    return np.empty((X.shape[0], 0), dtype=dtype)


def training_weights(targets, sample_weight, X, labels, incremental, dtype):
    """Validated sample weights (class weights folded in), or None; NumPy
    arrays, whatever the namespace of `X`."""
    X = _on_host(X, dtype)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
    sample_weight = targets.weighted(sample_weight, labels, X.dtype, incremental)
    if sample_weight is not None and not sample_weight.sum() > 0:
        raise ValueError("sample_weight sums to zero: nothing to learn from.")
    return sample_weight


def split(
    estimator, targets, train, validation, early_stopping, incremental, rng, dtype
):
    """Training data and validation data (None when there is none); the
    arguments are `training_data`'s, with ``train = (X, Y, sample_weight)``
    and the weights validated."""
    X, Y, sample_weight = train
    X_val, y_val, _ = validation
    if X_val is not None or y_val is not None:
        if X_val is None or y_val is None:
            raise ValueError("X_val and y_val must be given together.")
        return train, validation_data(estimator, targets, *validation, X.dtype, dtype)
    if not early_stopping:
        return train, None
    if incremental:
        raise ValueError(
            "partial_fit does not support early_stopping=True without a "
            "validation set: pass X_val and y_val to score each call."
        )
    return hold_out(estimator, targets, X, Y, sample_weight, rng, dtype)


def hold_out(estimator, targets, X, Y, sample_weight, rng, dtype):
    """`validation_fraction` of the data held out (stratified for
    classifiers): ``(train, val)``."""
    stratify = targets.stratify(Y)
    arrays = [X, Y] if sample_weight is None else [X, Y, sample_weight]
    try:
        # The rows split, as train_test_split splits the arrays themselves.
        rows = train_test_split(
            np.arange(Y.shape[0]),
            random_state=rng,
            test_size=estimator.validation_fraction,
            stratify=stratify,
        )
    except ValueError as error:
        rare = [] if stratify is None else targets.rare(Y).tolist()
        if rare:
            advice = (
                "The early-stopping hold-out is stratified by class; classes_ "
                f"{rare} have fewer than 2 samples."
            )
        else:
            advice = (
                "The validation set is too small. Increase "
                "'validation_fraction' or the size of your dataset."
            )
        raise ValueError(
            f"{error} {advice} Pass X_val and y_val, or set early_stopping=False."
        ) from error
    train = [_take_rows(a, rows[0]) for a in arrays]
    val = [_take_rows(a, rows[1]) for a in arrays]
    # Validation targets go whole through the loss: in X's dtype.
    val[1] = np.asarray(val[1], dtype=dtype)
    if val[0].shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    if sample_weight is None:
        train, val = (*train, None), (*val, None)
    return tuple(train), tuple(val)


def _take_rows(a, rows):
    """Rows `rows` (NumPy indices) of `a`, in `a`'s namespace."""
    if isinstance(a, np.ndarray) or sparse.issparse(a):
        return _safe_indexing(a, rows)
    xp = array_namespace(a)
    return xp.take(a, xp.asarray(rows, device=a.device), axis=0)


def validation_data(
    estimator, targets, X_val, y_val, sample_weight_val, dtype, host_dtype
):
    """A validation set checked as the training data was: ``(X, Y, w)``
    (targets and weights on the host, in `host_dtype`)."""
    try:
        X_val = validate_data(
            estimator, X_val, reset=False, accept_sparse=["csr", "csc"], dtype=dtype
        )
    except ValueError as error:
        raise ValueError(
            f"X_val does not fit the network's input: {error} The likely "
            "cause is validation data that skipped the preprocessing the "
            "training data went through: `fit(X, y, step__X_val=...)` on a "
            "Pipeline hands X_val to the network as it is. Pass it through "
            "the earlier steps: `Pipeline(..., transform_input=['X_val'])` "
            "with `sklearn.set_config(enable_metadata_routing=True)` "
            "(scikit-learn >= 1.6), or `pipeline[:-1].transform(X_val)` "
            "yourself; skprop.tabular's recipes do it for you."
        ) from error
    Y_val = targets.validation(y_val, host_dtype)
    if Y_val.shape[0] != X_val.shape[0]:
        raise ValueError(
            f"X_val has {X_val.shape[0]} samples but y_val has {Y_val.shape[0]}."
        )
    if Y_val.shape[1] != estimator.n_outputs_:
        raise ValueError(
            f"y_val has {Y_val.shape[1]} outputs but the model has "
            f"{estimator.n_outputs_}."
        )
    if sample_weight_val is not None:
        host = _on_host(X_val, host_dtype)
        sample_weight_val = _check_sample_weight(
            sample_weight_val, host, dtype=host.dtype, ensure_non_negative=True
        )
    return X_val, Y_val, sample_weight_val


def minibatch_size(batch_size, n_samples):
    """The minibatch size for `n_samples` rows: "auto" is MLP's."""
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is "
            f"going to be clipped: batch_size={batch_size} is larger than the "
            f"{n_samples} training samples, so one batch holds all of them."
        )
    return int(np.clip(batch_size, 1, n_samples))
