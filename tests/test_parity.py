"""Held-out scores against scikit-learn's MLP on its bundled data sets, at
the same settings and seed."""

import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skprop import BackpropClassifier, BackpropRegressor

DATASETS = {
    "digits": (load_digits, "classifier"),
    "breast_cancer": (load_breast_cancer, "classifier"),
    "wine": (load_wine, "classifier"),
    "diabetes": (load_diabetes, "regressor"),
}
# MLP's solver name, and skprop's optimizer name for it.
SOLVERS = ["adam", "sgd", "lbfgs"]


def held_out_scores(dataset, solver):
    """(skprop score, MLP score) on a fixed 25 % test split."""
    loader, kind = DATASETS[dataset]
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    if kind == "regressor":
        # 442 samples: a small, regularised network, and standardised targets
        # so that the default learning rate suits them.
        settings = dict(hidden_layer_sizes=(20,), alpha=3.0, random_state=0)
        mean, std = y_train.mean(), y_train.std()
        y_train, y_test = (y_train - mean) / std, (y_test - mean) / std
        ours, theirs = BackpropRegressor, MLPRegressor
    else:
        settings = dict(hidden_layer_sizes=(50,), random_state=0)
        ours, theirs = BackpropClassifier, MLPClassifier
    skprop = make_pipeline(StandardScaler(), ours(optimizer=solver, **settings))
    mlp = make_pipeline(StandardScaler(), theirs(solver=solver, **settings))
    scores = [
        model.fit(X_train, y_train).score(X_test, y_test) for model in (skprop, mlp)
    ]
    return scores, kind


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_held_out_score_matches_mlp(dataset, solver):
    (ours, theirs), kind = held_out_scores(dataset, solver)
    tolerance = 0.015 if kind == "classifier" else 0.03
    assert ours == pytest.approx(theirs, abs=tolerance)
    assert ours > (0.85 if kind == "classifier" else 0.2)
