"""The tabular recipe with one ingredient removed (or changed) at a time,
cross-validated on the data sets of ``bench_tabular.py`` with its folds.

Run: ``python benchmarks/ablate_tabular.py [--variants ...] [--datasets ...]
[--folds 5]``. Prints, per variant and data set, the error (1 − accuracy, or
RMSE / std(y)) and the mean fit time per fold; a variant that does not apply
to a task (label smoothing for regression) skips its data sets. The data
sets are the development half of `tabular_datasets.py` only: nothing here
sees the report half.

The rule an ingredient is kept by, stated before its run: it enters the
recipe when, on the development half, the shifted geometric mean of its
errors (as bench_tabular.py computes it, per task) is lower than the
recipe's for classification and for regression, or lower for one task and
at most 1% higher for the other, with a median fit time per fold at most
1.2 times the recipe's.
"""

import argparse
import warnings

from bench_tabular import DATASETS, available, cross_validate, error, folds
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from skprop.activations import Parametric
from skprop.layers import FeatureScale, PeriodicEmbedding
from skprop.optimizers import Muon
from skprop.preprocessing import TargetScaler
from skprop.schedules import Cosine, CosLog
from skprop.tabular import make_classifier, make_regressor


def _variant(name, task):
    """`make_classifier` / `make_regressor` overrides of one variant, or
    None where it does not apply to `task`."""
    net = "net__" if task == "classification" else "net__regressor__"
    classification = task == "classification"
    groups = {"scale": {"lr_factor": 6.0}, "biases": {"weight_decay": False}}
    variants = {
        "recipe": {},
        "no_embedding": {net + "input_layers": [FeatureScale()]},
        "no_scale": {
            net + "input_layers": [PeriodicEmbedding()],
            net + "parameter_groups": {"biases": {"weight_decay": False}},
        },
        "no_last_best": {net + "early_stopping": True, net + "n_iter_no_change": 20},
        "no_label_smoothing": (
            {net + "loss__label_smoothing": 0.0} if classification else None
        ),
        "no_target_clip": None
        if classification
        else {"net__transformer": TargetScaler(False)},
        "bias_decay": {net + "parameter_groups": {"scale": {"lr_factor": 6.0}}},
        "no_dropout": {net + "dropout": 0.0},
        "no_weight_decay": {net + "optimizer__weight_decay": 0.0},
        "no_smooth_clip": {"prep__num__scale__clip": None},
        "float64": {"float32": "passthrough"},
        "init_data": {net + "init": "data"},
        "parametric": {
            net + "activation": Parametric("relu" if classification else "gelu"),
            net + "parameter_groups": {**groups, "activation": {"lr_factor": 0.1}},
        },
        "coslog": {
            net + "learning_rate": (
                CosLog(2e-3, 128) if classification else CosLog(4e-3, 128)
            )
        },
        "gelu": {net + "activation": "gelu"} if classification else None,
        # The time knob; None where it is the task's default (the recipe).
        **{
            f"epochs{n}": (None if n == 128 else {"epochs": n})
            for n in (32, 64, 128, 256)
        },
        # Muon on the hidden matrices at ten times the recipe's rate; the
        # other parameters keep AdamW's rate (adam_lr_ratio 0.1) and beta_2,
        # and the matrices AdamW's decay per step (0.002 * 10 x the rate).
        "muon": {
            net + "optimizer": Muon(weight_decay=0.002, adam_beta_2=0.95),
            net + "learning_rate": (
                Cosine(2e-2, 128) if classification else Cosine(4e-2, 128)
            ),
        },
    }
    return variants[name]


VARIANTS = [
    "recipe",
    "no_embedding",
    "no_scale",
    "no_last_best",
    "no_label_smoothing",
    "no_target_clip",
    "bias_decay",
    "no_dropout",
    "no_weight_decay",
    "no_smooth_clip",
    "init_data",
    "parametric",
    "coslog",
    "gelu",
    "epochs32",
    "epochs64",
    "epochs128",
    "epochs256",
    "float64",
    "muon",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=VARIANTS)
    parser.add_argument(
        "--datasets", nargs="+", choices=DATASETS, default=list(DATASETS)
    )
    parser.add_argument("--folds", type=int, default=5)
    return parser.parse_args()


def main():
    args = parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    datasets = [name for name in args.datasets if available(DATASETS[name][1])]
    with threadpool_limits(limits=1):
        print("| variant | data set | error | fit s |\n|---|---|---|---|")
        for variant in args.variants:
            for name in datasets:
                X, y, task = DATASETS[name][0]()
                overrides = _variant(variant, task)
                if overrides is None:
                    continue
                factory = (
                    make_classifier if task == "classification" else make_regressor
                )

                def build(task, factory=factory, overrides=overrides):
                    return factory(random_state=0, **overrides)

                mean, _ = cross_validate(
                    build, X, y, task, folds(X, y, task, args.folds)
                )
                print(
                    f"| {variant} | {name} | {error(mean, task, y):.4f} "
                    f"| {mean['fit_s']:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
