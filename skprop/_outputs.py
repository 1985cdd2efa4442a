"""A classifier's outputs from raw network outputs: labels, probabilities
and their logs, validation accuracy. `NUMPY` computes them with NumPy,
`ArrayOutputs` in another Array API namespace; `skprop._ops` hands the
estimator the one that matches its data. `ClassifierOutputs` gives the
classifier its prediction methods over them."""

import math

import numpy as np
from scipy import sparse

from skprop._labels import MULTILABEL, SINGLE
from skprop._numeric import host_dtype, to_numpy


def _indicator(target_type, link, raw):
    """Boolean class indicator of raw outputs (one column when binary)."""
    proba = link.inverse(raw)
    if target_type == "multiclass":
        return proba == proba.max(axis=1, keepdims=True)
    return proba > 0.5


class NumpyOutputs:
    """A classifier's outputs of NumPy raw outputs."""

    def accuracy(self, target_type, link, Y, raw, sample_weight):
        """Weighted accuracy of raw outputs against a 0/1 target matrix."""
        predicted = _indicator(target_type, link, raw)
        truth = Y > 0.5
        if target_type == SINGLE:
            correct = np.ones(len(Y), dtype=bool)
        elif target_type == "multiclass":
            correct = predicted.argmax(axis=1) == truth.argmax(axis=1)
        else:
            correct = np.all(predicted == truth, axis=1)
        return float(np.average(correct, weights=sample_weight))

    def labels(self, estimator, raw):
        """Labels (or a 0/1 indicator matrix) of raw outputs."""
        target_type, link = estimator._target_type, estimator._fitted_link
        if target_type == MULTILABEL:
            indicator = _indicator(target_type, link, raw).astype(int)
            return (
                sparse.csr_matrix(indicator) if estimator._sparse_target else indicator
            )
        if target_type == SINGLE:
            return estimator.classes_[np.zeros(raw.shape[0], dtype=int)]
        if target_type == "binary":
            index = _indicator(target_type, link, raw)[:, 0].astype(int)
            return estimator.classes_[index]
        return estimator.classes_[link.inverse(raw).argmax(axis=1)]

    def proba(self, target_type, link, raw):
        """`predict_proba` of raw outputs."""
        if target_type == SINGLE:
            return np.ones((raw.shape[0], 1), raw.dtype)
        if target_type == "binary":
            proba = np.hstack([link.complement(raw), link.inverse(raw)])
        else:
            proba = link.inverse(raw)
        # Probabilities that underflow stay positive (so their log is finite);
        # a multilabel probability also stays below 1, where it would round.
        dtype = proba.dtype.type
        upper = np.nextafter(dtype(1), dtype(0)) if target_type == MULTILABEL else 1
        return np.clip(proba, np.finfo(dtype).tiny, upper, out=proba)

    def log_proba(self, target_type, link, raw):
        """`predict_log_proba` of raw outputs."""
        if target_type == SINGLE:
            return np.zeros((raw.shape[0], 1), raw.dtype)
        log_proba = link.log_inverse(raw)
        if target_type == "binary":
            log_proba = np.hstack([link.log_complement(raw), log_proba])
        floor = np.log(np.finfo(log_proba.dtype).tiny)
        np.maximum(log_proba, floor, out=log_proba)
        # Near 1 the log of the probability itself is exact enough, and it
        # keeps the ties `predict_proba` has where probabilities round to 1.
        proba = self.proba(target_type, link, raw)
        likely = proba > 0.5
        log_proba[likely] = np.log(proba[likely])
        return log_proba


class ArrayOutputs:
    """A classifier's outputs of raw outputs of the namespace `xp`, as
    `NumpyOutputs` computes them."""

    def __init__(self, xp):
        self.xp = xp

    def accuracy(self, target_type, link, Y, raw, sample_weight):
        xp = self.xp
        if target_type == SINGLE:
            return 1.0
        proba = link.inverse_xp(raw, xp)
        if target_type == "multiclass":
            correct = xp.argmax(proba, axis=1) == xp.argmax(Y, axis=1)
        else:
            correct = xp.all((proba > 0.5) == (Y > 0.5), axis=1)
        correct = xp.astype(correct, raw.dtype)
        if sample_weight is None:
            return float(xp.mean(correct))
        return float(xp.sum(correct * sample_weight) / xp.sum(sample_weight))

    def labels(self, estimator, raw):
        """Labels taken from `classes_`, on the device unless they are
        strings."""
        xp = self.xp
        target_type, link = estimator._target_type, estimator._fitted_link
        if target_type == MULTILABEL:
            indicator = xp.astype(link.inverse_xp(raw, xp) > 0.5, xp.int64)
            if estimator._sparse_target:
                return sparse.csr_matrix(to_numpy(indicator))
            return indicator
        if target_type == SINGLE:
            index = xp.zeros(raw.shape[0], dtype=xp.int64, device=raw.device)
        elif target_type == "binary":
            index = xp.astype(link.inverse_xp(raw, xp)[:, 0] > 0.5, xp.int64)
        else:
            index = xp.argmax(link.inverse_xp(raw, xp), axis=1)
        classes = estimator.classes_
        if isinstance(classes, np.ndarray):
            return classes[to_numpy(index)]
        return xp.take(classes, index, axis=0)

    def proba(self, target_type, link, raw):
        xp = self.xp
        if target_type == SINGLE:
            return xp.ones((raw.shape[0], 1), dtype=raw.dtype, device=raw.device)
        if target_type == "binary":
            proba = xp.concat(
                [link.complement_xp(raw, xp), link.inverse_xp(raw, xp)], axis=1
            )
        else:
            proba = link.inverse_xp(raw, xp)
        host = host_dtype(raw.dtype).type
        tiny = float(np.finfo(host).tiny)
        upper = (
            float(np.nextafter(host(1), host(0))) if target_type == MULTILABEL else 1.0
        )
        return xp.clip(proba, min=tiny, max=upper)

    def log_proba(self, target_type, link, raw):
        xp = self.xp
        if target_type == SINGLE:
            return xp.zeros((raw.shape[0], 1), dtype=raw.dtype, device=raw.device)
        log_proba = link.log_inverse_xp(raw, xp)
        if target_type == "binary":
            log_proba = xp.concat([link.log_complement_xp(raw, xp), log_proba], axis=1)
        floor = math.log(float(xp.finfo(raw.dtype).smallest_normal))
        log_proba = xp.clip(log_proba, min=floor)
        proba = self.proba(target_type, link, raw)
        return xp.where(proba > 0.5, xp.log(proba), log_proba)


NUMPY = NumpyOutputs()


class ClassifierOutputs:
    """`BackpropClassifier`'s prediction methods: raw network outputs
    (`BaseBackprop._raw`) turned into scores, labels and probabilities by
    the outputs of their namespace."""

    def _validation_score(self, Y, raw, sample_weight):
        """Accuracy of raw outputs against a 0/1 target matrix."""
        return NUMPY.accuracy(
            self._target_type, self._fitted_link, Y, raw, sample_weight
        )

    def _validation_score_xp(self, Y, raw, sample_weight, xp):
        """`_validation_score` of arrays of the Array API namespace `xp`."""
        return ArrayOutputs(xp).accuracy(
            self._target_type, self._fitted_link, Y, raw, sample_weight
        )

    def decision_function(self, X):
        """Raw scores (logits) before the output activation.

        With several members (``n_members``), the scores of their mean
        probability p: ``log(p / (1 - p))`` for binary and multilabel
        targets, ``log(p)`` for multiclass ones, so that the output
        activation of the scores gives `predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            1-D for binary problems (positive: ``classes_[1]``), as
            scikit-learn's linear classifiers, and for a single class.
        """
        raw, ops = self._raw(X, "decision_function")
        scores = ops.scores(self._fitted_link, raw)
        if self._target_type in ("binary", SINGLE):
            return ops.ravel(scores)
        return scores

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Labels, or a 0/1 indicator matrix for multilabel models (a
            scipy CSR matrix when the model was fitted on a sparse one).
        """
        raw, ops = self._raw(X, "predict")
        return ops.outputs.labels(self, raw)

    def predict_proba(self, X):
        """Probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            In the order of `classes_`; for multilabel models, the probability
            of each label independently. A model fitted on a single class
            gives it probability 1 (one column).
        """
        raw, ops = self._raw(X, "predict_proba")
        return ops.outputs.proba(self._target_type, self._fitted_link, raw)

    def predict_log_proba(self, X):
        """Log of `predict_proba`, computed from the logits.

        Computed with a stable log-sigmoid / log-softmax, so it is never
        ``-inf`` where a probability merely underflows: it is floored at the
        log of the smallest normal float (about -708 in float64), the floor
        `predict_proba` keeps probabilities above. Probabilities above 0.5
        take the log of `predict_proba` itself, so that both rank classes
        alike, ties where probabilities round to 1 included.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        raw, ops = self._raw(X, "predict_log_proba")
        return ops.outputs.log_proba(self._target_type, self._fitted_link, raw)
