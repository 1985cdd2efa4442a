"""The examples run, on small data, as scripts and as functions."""

import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Command-line arguments that keep each example small.
SMALL_RUNS = {
    "grid_search": ["--n-samples", "150", "--max-iter", "3"],
    "custom_loss": ["--n-samples", "300", "--max-iter", "3"],
    "compare_mlp": ["--n-samples", "200", "--max-iter", "3"],
    "streaming": ["--sizes", "2000", "4000", "--chunk-size", "1000"],
    "learning_curves": ["--n-samples", "100", "--max-iter", "3"],
}


def load(name):
    """The example's module namespace, without running its ``__main__`` block."""
    return runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name=name)


@pytest.mark.parametrize("name", sorted(SMALL_RUNS))
def test_example_runs_as_a_script(name, monkeypatch, capsys, tmp_path):
    if name == "learning_curves":
        pytest.importorskip("matplotlib", reason="the plot extra draws the figure")
    path = EXAMPLES / f"{name}.py"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(path), *SMALL_RUNS[name]])
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out.strip()


def test_learning_curves_saves_a_png(tmp_path):
    pytest.importorskip("matplotlib", reason="the plot extra draws the figure")
    output = tmp_path / "curves.png"
    model = load("learning_curves")["main"](str(output), n_samples=100, max_iter=4)
    assert output.read_bytes().startswith(b"\x89PNG")
    assert len(model.validation_loss_curve_) == len(model.loss_curve_) == 4


def test_grid_search_tunes_nested_parameters():
    search = load("grid_search")["main"](n_samples=150, max_iter=3)
    assert set(search.best_params_) == {
        "model__loss__delta",
        "model__optimizer__momentum",
        "model__learning_rate__power_t",
    }
    # Each nested value reached the part it names in the refitted pipeline.
    fitted = search.best_estimator_.get_params()
    for name, value in search.best_params_.items():
        assert fitted[name] == value
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_custom_parts_are_used_and_cloned():
    namespace = load("custom_loss")
    search = namespace["main"](n_samples=300, max_iter=3)
    # Every candidate trained, the custom optimizer's included.
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert type(search.best_estimator_.loss).__name__ == "LogCosh"
    assert search.best_estimator_.loss is not search.estimator.loss


def test_compare_mlp_reports_both():
    rows = load("compare_mlp")["main"](n_samples=200, max_iter=3)
    assert [name for name, _, _ in rows] == ["adam", "sgd + nesterov", "lbfgs"]
    for _, ours, theirs in rows:
        # Same seed and settings: skprop follows MLP's training path.
        assert ours[0] == pytest.approx(theirs[0], abs=1e-12)
        assert ours[2] == theirs[2]


def test_streaming_memory_stays_flat():
    sizes = (5_000, 40_000)
    rows = load("streaming")["main"](sizes=sizes, chunk_size=1_000)
    peaks = dict(rows)
    # Data grows 8 times; holding it all would grow the peak about as much.
    assert peaks[sizes[1]] < 1.5 * peaks[sizes[0]]
    assert peaks[sizes[1]] < sizes[1] * 20 * np.dtype(np.float32).itemsize
