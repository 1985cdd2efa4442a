"""Every example of the gallery runs as a script, and shows what it claims."""

import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def run(name, monkeypatch, tmp_path):
    """The example's namespace after running it as ``python examples/NAME``."""
    if name != "quickstart.py":
        pytest.importorskip("matplotlib", reason="the plot extra draws the figures")
        import matplotlib

        matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(EXAMPLES / name)])
    namespace = runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    if name != "quickstart.py":
        import matplotlib.pyplot as plt

        plt.close("all")
    return namespace


def test_the_gallery_has_every_script():
    assert "quickstart.py" in SCRIPTS
    assert all(n == "quickstart.py" or n.startswith("plot_") for n in SCRIPTS)
    assert len(SCRIPTS) >= 12


def check_grid_search(namespace):
    """The grid tuned the nested parameters, and each reached its part."""
    search = namespace["search"]
    assert set(search.best_params_) == {
        "model__loss__delta",
        "model__optimizer__momentum",
        "model__learning_rate__power_t",
    }
    fitted = search.best_estimator_.get_params()
    for name, value in search.best_params_.items():
        assert fitted[name] == value


def check_custom_loss(namespace):
    """The custom parts trained every candidate and were cloned."""
    search = namespace["search"]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert type(search.best_estimator_.loss).__name__ == "LogCosh"
    assert search.best_estimator_.loss is not search.estimator.loss


def check_compare_mlp(namespace):
    """Same seed and settings: skprop follows MLP's training path."""
    rows = namespace["rows"]
    assert [name for name, _, _ in rows] == ["adam", "sgd + nesterov", "lbfgs"]
    for _, ours, theirs in rows:
        assert ours[0] == pytest.approx(theirs[0], abs=1e-12)


def check_stream(namespace):
    """Data grows 16 times; holding it all would grow the peak about as much."""
    peaks = namespace["peaks"]
    sizes = sorted(peaks)
    assert peaks[sizes[-1]] < 1.5 * peaks[sizes[0]]


def check_backprop_by_hand(namespace):
    """Hand gradients equal finite differences and the engine's."""
    for name in namespace["params"]:
        hand = namespace["by_hand"][name]
        np.testing.assert_allclose(hand, namespace["numeric"][name], atol=1e-7)
        np.testing.assert_allclose(hand, namespace["engine"][name], atol=1e-12)


CHECKS = {
    "plot_grid_search.py": check_grid_search,
    "plot_custom_loss.py": check_custom_loss,
    "plot_compare_mlp.py": check_compare_mlp,
    "plot_partial_fit_stream.py": check_stream,
    "plot_backprop_by_hand.py": check_backprop_by_hand,
}


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_runs(name, monkeypatch, capsys, tmp_path):
    namespace = run(name, monkeypatch, tmp_path)
    if name == "quickstart.py":
        assert "held-out accuracy" in capsys.readouterr().out
    if name in CHECKS:
        CHECKS[name](namespace)
