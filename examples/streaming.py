"""Learn from data on disk, chunk by chunk, in flat memory.

Synthetic data is written to a memory-mapped ``.npy`` file chunk by chunk
(``np.lib.format.open_memmap``), then read back chunk by chunk and learned
with `partial_fit`, scoring a small in-memory validation set (``X_val``,
``y_val``) after each chunk. The peak memory Python traces (`tracemalloc`)
stays about the same while the data grows: only one chunk is in memory at a
time.

Run ``python examples/streaming.py`` (``--sizes`` and ``--chunk-size`` make
it smaller).
"""

import argparse
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np

from skprop import BackpropClassifier

N_FEATURES = 20


def make_chunk(rng, weights, n_samples):
    """Samples of a fixed, slightly nonlinear binary problem."""
    X = rng.normal(size=(n_samples, N_FEATURES)).astype(np.float32)
    score = X @ weights + np.sin(2 * X[:, 0]) + 0.3 * rng.normal(size=n_samples)
    return X, (score > 0).astype(np.int8)


def write_dataset(directory, n_samples, chunk_size, weights):
    """Write ``X.npy`` and ``y.npy`` without holding all of either."""
    X_file = np.lib.format.open_memmap(
        directory / "X.npy",
        mode="w+",
        dtype=np.float32,
        shape=(n_samples, N_FEATURES),
    )
    y_file = np.lib.format.open_memmap(
        directory / "y.npy", mode="w+", dtype=np.int8, shape=(n_samples,)
    )
    for start in range(0, n_samples, chunk_size):
        stop = min(start + chunk_size, n_samples)
        rng = np.random.default_rng((1, start))
        X_file[start:stop], y_file[start:stop] = make_chunk(rng, weights, stop - start)
    X_file.flush()
    y_file.flush()


def read_chunks(directory, chunk_size):
    """Yield ``(X, y)`` chunks of the dataset in `directory`."""
    X = np.load(directory / "X.npy", mmap_mode="r")
    y = np.load(directory / "y.npy", mmap_mode="r")
    for start in range(0, len(y), chunk_size):
        yield X[start : start + chunk_size], y[start : start + chunk_size]


def train(directory, chunk_size, X_val, y_val):
    """One pass of `partial_fit` over the chunks; the fitted model."""
    model = BackpropClassifier((32,), learning_rate=0.003, random_state=0)
    for X_chunk, y_chunk in read_chunks(directory, chunk_size):
        model.partial_fit(X_chunk, y_chunk, classes=[0, 1], X_val=X_val, y_val=y_val)
    return model


def measure(n_samples, chunk_size, weights, X_val, y_val):
    """Train on a fresh dataset of `n_samples`; return the peak traced
    memory of training (bytes), the file size (bytes) and the model."""
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        write_dataset(directory, n_samples, chunk_size, weights)
        file_size = sum(path.stat().st_size for path in directory.iterdir())
        tracemalloc.start()
        model = train(directory, chunk_size, X_val, y_val)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, file_size, model


def main(sizes=(50_000, 200_000, 800_000), chunk_size=10_000):
    """Print data size against peak memory; return ``(n_samples, peak)``
    pairs."""
    weights = np.random.default_rng(0).normal(size=N_FEATURES) / 2
    X_val, y_val = make_chunk(np.random.default_rng(2), weights, 2000)
    print(f"{'samples':>9} {'on disk':>10} {'peak traced':>12} {'val accuracy':>13}")
    rows = []
    for n_samples in sizes:
        peak, file_size, model = measure(n_samples, chunk_size, weights, X_val, y_val)
        print(
            f"{n_samples:>9} {file_size / 2**20:>7.1f} MB {peak / 2**20:>9.2f} MB "
            f"{model.validation_scores_[-1]:>13.4f}"
        )
        rows.append((n_samples, peak))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[50_000, 200_000, 800_000]
    )
    parser.add_argument("--chunk-size", type=int, default=10_000)
    args = parser.parse_args()
    main(sizes=args.sizes, chunk_size=args.chunk_size)
