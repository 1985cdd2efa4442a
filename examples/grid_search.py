"""Tune a loss, an optimizer and a learning-rate schedule with GridSearchCV.

A `BackpropRegressor` with a Huber loss, SGD with momentum and an inverse
scaling schedule sits at the end of a pipeline whose ColumnTransformer
one-hot encodes the categorical columns of a pandas DataFrame and scales the
numeric ones. The grid reaches inside the parts through nested parameters:
``model__loss__delta``, ``model__optimizer__momentum`` and
``model__learning_rate__power_t``.

Run ``python examples/grid_search.py`` (``--n-samples`` and ``--max-iter``
make it smaller).
"""

import argparse

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skprop import BackpropRegressor
from skprop.losses import Huber
from skprop.optimizers import SGD
from skprop.schedules import InvScaling


def make_rentals(n_samples, seed=0):
    """Monthly rents from size, age and district, with a few gross outliers."""
    rng = np.random.RandomState(seed)
    district = rng.choice(["centre", "harbour", "suburb"], size=n_samples)
    frame = pd.DataFrame(
        {
            "size_m2": rng.uniform(20, 150, n_samples),
            "age_years": rng.uniform(0, 80, n_samples),
            "district": pd.Categorical(district),
            "furnished": rng.choice(["yes", "no"], size=n_samples),
        }
    )
    premium = frame["district"].map({"centre": 8.0, "harbour": 5.0, "suburb": 0.0})
    rent = (12 + premium.astype(float)) * frame["size_m2"] - 4 * frame["age_years"]
    rent += 150 * (frame["furnished"] == "yes") + rng.normal(0, 60, n_samples)
    outliers = rng.rand(n_samples) < 0.03
    rent[outliers] *= 4
    return frame, rent / 1000  # in thousands, so the network sees O(1) targets


def make_search(max_iter):
    """The pipeline, and a grid over its nested loss, optimizer and schedule
    parameters, scored by the median absolute error (robust to outliers)."""
    preprocess = ColumnTransformer(
        [
            ("categories", OneHotEncoder(), ["district", "furnished"]),
            ("numbers", StandardScaler(), ["size_m2", "age_years"]),
        ]
    )
    model = BackpropRegressor(
        hidden_layer_sizes=(32,),
        loss=Huber(delta=1.0),
        optimizer=SGD(momentum=0.9),
        learning_rate=InvScaling(0.05, power_t=0.25),
        max_iter=max_iter,
        tol=1e-3,
        random_state=0,
    )
    grid = {
        "model__loss__delta": [0.1, 1.0],
        "model__optimizer__momentum": [0.5, 0.9],
        "model__learning_rate__power_t": [0.1, 0.25],
    }
    pipeline = Pipeline([("preprocess", preprocess), ("model", model)])
    return GridSearchCV(pipeline, grid, scoring="neg_median_absolute_error", cv=3)


# Defaults of main() and of the command line.
N_SAMPLES = 2000
MAX_ITER = 200


def main(n_samples=N_SAMPLES, max_iter=MAX_ITER):
    """Fit the search; print the best parameters and the median absolute error."""
    X, y = make_rentals(n_samples)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    search = make_search(max_iter).fit(X_train, y_train)
    for name, value in search.best_params_.items():
        print(f"{name:32} {value}")
    # The scorer is negated so that higher is better; rents are in thousands.
    cv_error = -1000 * search.best_score_
    test_error = -1000 * search.score(X_test, y_test)
    print(
        f"median absolute error: cross-validated {cv_error:.0f}, "
        f"held-out {test_error:.0f}"
    )
    return search


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=N_SAMPLES)
    parser.add_argument("--max-iter", type=int, default=MAX_ITER)
    args = parser.parse_args()
    main(n_samples=args.n_samples, max_iter=args.max_iter)
