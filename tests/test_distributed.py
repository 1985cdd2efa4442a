"""GridSearchCV on a real Dask cluster gives the local results."""

import logging

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from skprop import BackpropClassifier
from skprop.optimizers import SGD

distributed = pytest.importorskip(
    "distributed", reason="Dask tests need the distributed extra"
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def grid_search(n_jobs):
    search = GridSearchCV(
        BackpropClassifier(
            (8,), optimizer=SGD(), max_iter=15, batch_size=32, random_state=0
        ),
        {"optimizer__momentum": [0.0, 0.9], "learning_rate": [0.01, 0.1]},
        cv=3,
        n_jobs=n_jobs,
    )
    X, y = make_classification(n_samples=150, n_features=6, random_state=0)
    return search.fit(X, y)


def test_grid_search_on_a_local_dask_cluster_matches_local_run():
    local = grid_search(n_jobs=1)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as tasks,
        joblib.parallel_backend("dask"),
    ):
        remote = grid_search(n_jobs=-1)
        workers = set(client.scheduler_info()["workers"])
    assert len(workers) == 2
    assert tasks.data, "no task ran on the cluster"
    assert {task["worker"] for task in tasks.data} <= workers
    assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert remote.best_params_ == local.best_params_
    assert np.all(remote.cv_results_["mean_test_score"] > 0.5)
