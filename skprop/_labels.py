"""Classification targets: labels to the 0/1 matrix the network trains on,
`classes_` and the target type, class weights.

Target types are scikit-learn's ``type_of_target`` names, plus one for a
single class.
"""

import numpy as np
from scipy import sparse
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import check_array, column_or_1d

MULTILABEL = "multilabel-indicator"
# One class: trained as MLP trains it (a logistic output toward 0), always
# predicted, with probability 1.
SINGLE = "single-class"


def label_targets(estimator, y, incremental, first_pass, classes):
    """The 0/1 target matrix (uint8: training casts it batch by batch) and
    the 1-D labels (None if multilabel) of a validated `y`; sets `classes_`
    and the target type on a first pass."""
    if sparse.issparse(y) or type_of_target(y) == MULTILABEL:
        return multilabel_targets(estimator, y, first_pass, np.uint8), None
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    if y.ndim == 2:
        raise ValueError(
            "Multioutput target data is not supported with label "
            f"binarization: y has {y.shape[1]} columns of "
            f"{type_of_target(y)} targets. A 2-D y must be a 0/1 multilabel "
            "indicator matrix; for several multiclass outputs, wrap the "
            "classifier in sklearn.multioutput.MultiOutputClassifier."
        )
    set_classes(estimator, y, incremental, first_pass, classes)
    return encode(estimator.classes_, estimator._target_type, y, np.uint8), y


def multilabel_targets(estimator, y, first_pass, dtype):
    """Dense 0/1 matrix of an indicator `y` (dense or sparse)."""
    if sparse.issparse(y):
        check_classification_targets(y)
        if type_of_target(y) != MULTILABEL:
            raise ValueError(
                "A sparse y must be a 0/1 multilabel indicator matrix; got "
                f"{type_of_target(y)} targets."
            )
    if y.ndim != 2:
        raise ValueError(
            "The model's targets are a multilabel indicator matrix: y must be "
            f"2-D with one column per label, not of shape {y.shape}."
        )
    if first_pass:
        estimator.classes_ = np.arange(y.shape[1])
        estimator._target_type = MULTILABEL
        # predict answers in the kind of matrix it was taught with, as MLP.
        estimator._sparse_target = sparse.issparse(y)
    elif estimator._target_type != MULTILABEL or y.shape[1] != len(estimator.classes_):
        raise ValueError(
            f"y is a multilabel indicator matrix with {y.shape[1]} labels, "
            f"but the model was trained on {estimator._target_type} targets "
            f"with classes {estimator.classes_}."
        )
    if sparse.issparse(y):
        return y.toarray().astype(dtype, copy=False)
    return np.asarray(y, dtype=dtype)


def set_classes(estimator, labels, incremental, first_pass, classes):
    """Fix `classes_` on a first pass; check labels against it later."""
    if first_pass:
        if incremental and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        found = _classes(labels if classes is None else classes)
        estimator.classes_ = found
        estimator._target_type = {1: SINGLE, 2: "binary"}.get(len(found), "multiclass")
        return
    if estimator._target_type == MULTILABEL:
        raise ValueError(
            "The model was trained on multilabel indicator "
            "targets; y must stay a 2-D indicator matrix."
        )
    if classes is not None and not np.array_equal(
        _classes(classes), estimator.classes_
    ):
        raise ValueError(
            f"`classes={classes!r}` is not the same as on last call to "
            f"partial_fit, was: {estimator.classes_!r}."
        )
    if estimator.warm_start and not incremental:
        found = np.unique(labels)
        if set(found) != set(estimator.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes "
                f"as in the previous call to fit. Previously got "
                f"{estimator.classes_}, `y` has {found}."
            )


def _classes(labels):
    """Sorted distinct labels, as scikit-learn's `unique_labels` (and so MLP)
    gives them: a string dtype for strings, an error for mixed types."""
    shape = np.shape(labels)
    if len(shape) != 1 or shape[0] == 0:
        raise ValueError(
            f"y has 0 samples or classes is not 1-D: {labels!r}. classes must "
            "list every class of the stream, once."
        )
    # The labels as given: a list mixing strings and numbers is an error there.
    return unique_labels(labels)


def encode(classes, target_type, labels, dtype):
    """0/1 target matrix of 1-D labels: one column for binary (and single
    class) problems, one per class otherwise."""
    index = np.searchsorted(classes, labels)
    index = np.minimum(index, len(classes) - 1)
    labels = np.asarray(labels)
    found = classes[index]
    if found.dtype.kind != labels.dtype.kind:
        # Strings against numbers: compare as objects (every one differs).
        found, labels = found.astype(object), labels.astype(object)
    unseen = found != labels
    if np.any(unseen):
        raise ValueError(
            f"`y` has classes not in `self.classes_`. `self.classes_` has "
            f"{classes}. 'y' has {np.unique(labels)}; unseen: "
            f"{np.unique(np.asarray(labels)[unseen])!r}."
        )
    if target_type in ("binary", SINGLE):
        return (index == 1).astype(dtype)[:, None]
    Y = np.zeros((len(labels), len(classes)), dtype=dtype)
    Y[np.arange(len(labels)), index] = 1
    return Y


def rare_classes(classes, target_type, Y):
    """Entries of `classes` with fewer than 2 samples in the matrix `Y`."""
    if target_type == "multiclass":
        counts = Y.sum(axis=0)
    else:
        positive = int(Y.sum())
        counts = np.array([Y.shape[0] - positive, positive])[-len(classes) :]
    return classes[counts < 2]


def class_weights(class_weight, classes, labels, dtype, incremental):
    """Per-sample weights from `class_weight` (None when it is None)."""
    if class_weight is None:
        return None
    if labels is None:
        raise ValueError("class_weight is not supported for multilabel targets.")
    if incremental and class_weight == "balanced":
        raise ValueError(
            "class_weight='balanced' needs the whole data set, which "
            "partial_fit never sees; compute the weights once with "
            "sklearn.utils.class_weight.compute_class_weight and pass them "
            "as a dict."
        )
    per_class = compute_class_weight(class_weight, classes=classes, y=labels)
    return per_class[np.searchsorted(classes, labels)].astype(dtype)


class ClassTargets:
    """What the data functions (`skprop._data`) need of a classifier's
    targets: validation targets encoded as training targets are, the labels
    a hold-out is stratified on, its rare classes, class weights."""

    def __init__(self, estimator):
        self.estimator = estimator

    def validation(self, y_val, dtype):
        """`y_val` as a 0/1 target matrix of `dtype`."""
        estimator = self.estimator
        if not sparse.issparse(y_val):
            y_val = np.asarray(y_val)
        if estimator._target_type == MULTILABEL:
            return multilabel_targets(estimator, y_val, False, dtype)
        return encode(
            estimator.classes_, estimator._target_type, column_or_1d(y_val), dtype
        )

    def stratify(self, Y):
        """What the hold-out is stratified on. MLP stratifies binary targets
        only, on its boolean target column: the same here, so split and
        message are MLP's; multiclass targets on the class index."""
        target_type = self.estimator._target_type
        if target_type == MULTILABEL:
            return None
        if target_type == "multiclass":
            return Y.argmax(axis=1)
        return Y.astype(bool)

    def rare(self, Y):
        """Entries of `classes_` with fewer than 2 samples in `Y`."""
        estimator = self.estimator
        return rare_classes(estimator.classes_, estimator._target_type, Y)

    def weighted(self, sample_weight, labels, dtype, incremental):
        """Sample weights with the per-class weights multiplied in."""
        estimator = self.estimator
        weight = class_weights(
            estimator.class_weight, estimator.classes_, labels, dtype, incremental
        )
        if weight is None:
            return sample_weight
        return weight if sample_weight is None else weight * sample_weight


class ValueTargets:
    """`ClassTargets` for a regressor's numeric targets."""

    def validation(self, y_val, dtype):
        """`y_val` as a 2-D float array of `dtype`."""
        y_val = check_array(y_val, ensure_2d=False, dtype=dtype)
        return y_val.reshape(len(y_val), -1)

    def stratify(self, Y):
        """No stratification."""
        return None

    def rare(self, Y):
        """No classes."""
        return np.array([])

    def weighted(self, sample_weight, labels, dtype, incremental):
        """No class weights: the sample weights as they are."""
        return sample_weight
