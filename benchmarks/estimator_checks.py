"""Counts of scikit-learn's estimator checks per configuration, by status.

Run: ``SCIPY_ARRAY_API=1 python benchmarks/estimator_checks.py`` (without the
variable scikit-learn skips ``check_array_api_input`` itself).
"""

import warnings
from collections import Counter

import sklearn
from sklearn.utils.estimator_checks import check_estimator

from skprop import BackpropClassifier, BackpropRegressor

CONFIGURATIONS = [
    BackpropClassifier(),
    BackpropRegressor(),
    BackpropClassifier(optimizer="sgd"),
    BackpropRegressor(optimizer="sgd"),
    BackpropClassifier(optimizer="lbfgs"),
    BackpropRegressor(optimizer="lbfgs"),
    BackpropRegressor(loss="huber", optimizer="adamw"),
]


def main():
    print(f"scikit-learn {sklearn.__version__}")
    for estimator in CONFIGURATIONS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = check_estimator(estimator, on_fail=None)
        counts = Counter(result["status"] for result in results)
        print(f"{estimator!r}: {dict(counts)}")


if __name__ == "__main__":
    main()
