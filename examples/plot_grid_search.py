"""
Grid search over nested parameters
==================================

A :class:`~skprop.BackpropRegressor` with a :class:`~skprop.losses.Huber`
loss, :class:`~skprop.optimizers.SGD` with momentum and an
:class:`~skprop.schedules.InvScaling` schedule sits at the end of a pipeline
whose ``ColumnTransformer`` one-hot encodes the categorical columns of a
pandas DataFrame and scales the numeric ones. ``GridSearchCV`` reaches
inside the parts through nested parameters: ``model__loss__delta``,
``model__optimizer__momentum`` and ``model__learning_rate__power_t``.
"""

# %%
# Monthly rents from size, age and district, with a few gross outliers
# (which is why the loss is Huber's and the score the median absolute error).
import matplotlib.pyplot as plt
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

rng = np.random.RandomState(0)
n_samples = 1000
district = rng.choice(["centre", "harbour", "suburb"], size=n_samples)
X = pd.DataFrame(
    {
        "size_m2": rng.uniform(20, 150, n_samples),
        "age_years": rng.uniform(0, 80, n_samples),
        "district": pd.Categorical(district),
        "furnished": rng.choice(["yes", "no"], size=n_samples),
    }
)
premium = X["district"].map({"centre": 8.0, "harbour": 5.0, "suburb": 0.0})
rent = (12 + premium.astype(float)) * X["size_m2"] - 4 * X["age_years"]
rent += 150 * (X["furnished"] == "yes") + rng.normal(0, 60, n_samples)
rent[rng.rand(n_samples) < 0.03] *= 4
y = rent / 1000  # in thousands, so the network sees targets of order one
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# The pipeline and a grid over the parts' own hyper-parameters.
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
    max_iter=60,
    tol=1e-3,
    random_state=0,
)
grid = {
    "model__loss__delta": [0.1, 1.0],
    "model__optimizer__momentum": [0.5, 0.9],
    "model__learning_rate__power_t": [0.1, 0.25],
}
pipeline = Pipeline([("preprocess", preprocess), ("model", model)])
search = GridSearchCV(pipeline, grid, scoring="neg_median_absolute_error", cv=3)
search.fit(X_train, y_train)
for name, value in search.best_params_.items():
    print(f"{name:32} {value}")
print(f"held-out median absolute error: {-1000 * search.score(X_test, y_test):.0f}")

# %%
# Every candidate's cross-validated error (δ: Huber's ``delta``, μ: the
# momentum, t: the schedule's ``power_t``).
results = pd.DataFrame(search.cv_results_)
labels = [
    f"δ={p['model__loss__delta']}, μ={p['model__optimizer__momentum']}, "
    f"t={p['model__learning_rate__power_t']}"
    for p in results["params"]
]
fig, ax = plt.subplots(figsize=(7, 4))
ax.barh(labels, -1000 * results["mean_test_score"])
ax.set_xlabel("cross-validated median absolute error (rent)")
fig.tight_layout()
