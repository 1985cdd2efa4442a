"""Counts of scikit-learn's estimator checks per configuration, by status.

Run: ``SCIPY_ARRAY_API=1 python benchmarks/estimator_checks.py`` (without the
variable scikit-learn skips ``check_array_api_input`` itself).
"""

import sys
import warnings
from collections import Counter
from pathlib import Path

import sklearn
from sklearn.utils.estimator_checks import check_estimator

# The configurations are those the test suite checks.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from test_estimators import ESTIMATORS  # noqa: E402


def main():
    print(f"scikit-learn {sklearn.__version__}")
    for estimator in ESTIMATORS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = check_estimator(estimator, on_fail=None)
        counts = Counter(result["status"] for result in results)
        print(f"{estimator!r}: {dict(counts)}")


if __name__ == "__main__":
    main()
