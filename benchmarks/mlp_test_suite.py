"""Run scikit-learn's own MLP tests against skprop.

scikit-learn's wheel ships ``sklearn/neural_network/tests/test_mlp.py``. This
script copies it to a temporary folder, replaces ``MLPClassifier`` and
``MLPRegressor`` with factories that translate MLP's parameters through the
README's table (``solver``, ``momentum``, ``learning_rate_init``, ...) into a
`BackpropClassifier` / `BackpropRegressor`, and runs it with pytest. Tests
that reach into MLP's private attributes (``_coef_grads``, ``_optimizer``,
``_loss_grad_lbfgs``) cannot pass, and two test behaviour skprop changes on
purpose; the script lists both kinds before pytest's summary.

Usage::

    python benchmarks/mlp_test_suite.py [-k EXPRESSION] [pytest options]
"""

import pathlib
import subprocess
import sys
import tempfile

import sklearn

ADAPTER = '''
"""MLP's constructors, translated to skprop through the README's table."""

from skprop import BackpropClassifier as _Classifier
from skprop import BackpropRegressor as _Regressor
from skprop.optimizers import LBFGS, SGD, Adam
from skprop.schedules import Adaptive, InvScaling


def _translate(
    solver="adam",
    learning_rate="constant",
    learning_rate_init=0.001,
    power_t=0.5,
    momentum=0.9,
    nesterovs_momentum=True,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    max_fun=15000,
    **rest,
):
    if solver == "sgd":
        optimizer = SGD(momentum=momentum, nesterov=nesterovs_momentum)
    elif solver == "adam":
        optimizer = Adam(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
    else:
        optimizer = LBFGS(max_fun=max_fun)
    rate = learning_rate_init
    if solver == "sgd" and learning_rate == "invscaling":
        rate = InvScaling(learning_rate_init, power_t=power_t)
    elif solver == "sgd" and learning_rate == "adaptive":
        rate = Adaptive(learning_rate_init)
    return dict(optimizer=optimizer, learning_rate=rate, **rest)


def MLPClassifier(*args, **kwargs):
    return _Classifier(*args, **_translate(**kwargs))


def MLPRegressor(*args, **kwargs):
    return _Regressor(*args, **_translate(**kwargs))
'''

# scikit-learn's own conftest gives this fixture; one seed is enough here.
CONFTEST = """
import pytest


@pytest.fixture(params=[42])
def global_random_seed(request):
    return request.param
"""

# Tests whose subject is MLP's private internals; they cannot pass on skprop.
PRIVATE = [
    "test_fit",
    "test_gradient",
    "test_learning_rate_warmstart",
    "test_adaptive_learning_rate",
]
# Tests of behaviour skprop changes on purpose (README, "Deliberate
# differences from MLP").
DELIBERATE = {
    "test_verbose_sgd": "an aligned table per epoch, not 'Iteration N' lines",
    "test_mlp_diverging_loss": "divergence raises DivergenceError",
}


def main(argv):
    source = pathlib.Path(sklearn.__file__).parent / "neural_network/tests/test_mlp.py"
    text = source.read_text()
    text = text.replace(
        "from sklearn.neural_network import MLPClassifier, MLPRegressor",
        "from mlp_adapter import MLPClassifier, MLPRegressor",
    )
    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        (folder / "mlp_adapter.py").write_text(ADAPTER)
        (folder / "conftest.py").write_text(CONFTEST)
        (folder / "test_mlp_on_skprop.py").write_text(text)
        print(f"scikit-learn {sklearn.__version__}; expected to fail:")
        print("  on MLP's internals: " + ", ".join(PRIVATE))
        for name, reason in DELIBERATE.items():
            print(f"  deliberate difference: {name} ({reason})")
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(folder),
            str(folder / "test_mlp_on_skprop.py"),
            *argv,
        ]
        return subprocess.call(command, cwd=folder)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
