"""Plot a classifier's learning curves and decision regions on two moons.

`fit` is given a validation set (``X_val``, ``y_val``), so every epoch
records both the training loss (`loss_curve_`) and the validation loss
(`validation_loss_curve_`). One PNG shows them side by side with the
decision regions the network learned.

Needs the ``plot`` extra (matplotlib); it renders with the Agg backend, so
no display is needed. Run ``python examples/learning_curves.py curves.png``
(``--n-samples`` and ``--max-iter`` make it smaller).
"""

import argparse

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

from skprop import BackpropClassifier


def plot_curves(ax, model):
    """Training and validation loss per epoch."""
    epochs = np.arange(1, len(model.loss_curve_) + 1)
    ax.plot(epochs, model.loss_curve_, label="training")
    ax.plot(epochs, model.validation_loss_curve_, label="validation")
    ax.set(xlabel="epoch", ylabel="loss", title="Learning curves")
    ax.legend()


def plot_regions(ax, model, X, y):
    """Probability of the positive class over the plane, and the data."""
    low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    grid_x, grid_y = np.meshgrid(
        np.linspace(low[0], high[0], 200), np.linspace(low[1], high[1], 200)
    )
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    proba = model.predict_proba(grid)[:, 1].reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, proba, levels=20, cmap="RdBu_r", alpha=0.6)
    ax.contour(grid_x, grid_y, proba, levels=[0.5], colors="k")
    ax.scatter(
        X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", linewidths=0.3, s=14
    )
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title="Decision regions")


# Defaults of main() and of the command line.
OUTPUT = "learning_curves.png"
N_SAMPLES = 1000
MAX_ITER = 300


def main(output=OUTPUT, n_samples=N_SAMPLES, max_iter=MAX_ITER):
    """Fit on two moons and save the figure to `output`."""
    X, y = make_moons(n_samples=n_samples, noise=0.25, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
    model = BackpropClassifier(
        (32, 32), learning_rate=0.01, max_iter=max_iter, random_state=0
    )
    model.fit(X_train, y_train, X_val=X_val, y_val=y_val)

    figure = Figure(figsize=(10, 4), layout="constrained")
    FigureCanvasAgg(figure)
    curves_ax, regions_ax = figure.subplots(1, 2)
    plot_curves(curves_ax, model)
    plot_regions(regions_ax, model, X_val, y_val)
    figure.savefig(output, dpi=100)
    print(
        f"{model.n_iter_} epochs, validation accuracy "
        f"{model.score(X_val, y_val):.3f}; saved {output}"
    )
    return model


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default=OUTPUT)
    parser.add_argument("--n-samples", type=int, default=N_SAMPLES)
    parser.add_argument("--max-iter", type=int, default=MAX_ITER)
    args = parser.parse_args()
    main(args.output, n_samples=args.n_samples, max_iter=args.max_iter)
