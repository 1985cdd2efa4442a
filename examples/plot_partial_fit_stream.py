"""
``partial_fit`` over a stream, in flat memory
=============================================

Data is written to a memory-mapped ``.npy`` file chunk by chunk, then read
back chunk by chunk and learned with ``partial_fit``, scoring a small
in-memory validation set (``X_val``, ``y_val``) after each chunk. The
validation score climbs as data arrives, and the peak memory Python traces
(``tracemalloc``) stays about the same while the data grows: only one chunk
is in memory at a time.
"""

# %%
import tempfile
import tracemalloc
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from skprop import BackpropClassifier

N_FEATURES = 20
CHUNK = 5_000
weights = np.random.default_rng(0).normal(size=N_FEATURES) / 2


def make_chunk(rng, n_samples):
    """Samples of a fixed, slightly nonlinear binary problem."""
    X = rng.normal(size=(n_samples, N_FEATURES)).astype(np.float32)
    score = X @ weights + np.sin(2 * X[:, 0]) + 0.3 * rng.normal(size=n_samples)
    return X, (score > 0).astype(np.int8)


def write_dataset(directory, n_samples):
    """Write ``X.npy`` and ``y.npy`` chunk by chunk, never all in memory."""
    X_file = np.lib.format.open_memmap(
        directory / "X.npy", mode="w+", dtype=np.float32, shape=(n_samples, N_FEATURES)
    )
    y_file = np.lib.format.open_memmap(
        directory / "y.npy", mode="w+", dtype=np.int8, shape=(n_samples,)
    )
    for start in range(0, n_samples, CHUNK):
        stop = min(start + CHUNK, n_samples)
        X_file[start:stop], y_file[start:stop] = make_chunk(
            np.random.default_rng((1, start)), stop - start
        )
    X_file.flush()
    y_file.flush()


X_val, y_val = make_chunk(np.random.default_rng(2), 2000)

# %%
# Learn each data set in one pass of ``partial_fit`` calls, one per chunk,
# and measure the peak memory traced while learning.
peaks = {}
for n_samples in (20_000, 80_000, 320_000):
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        write_dataset(directory, n_samples)
        X = np.load(directory / "X.npy", mmap_mode="r")
        y = np.load(directory / "y.npy", mmap_mode="r")
        tracemalloc.start()
        model = BackpropClassifier((32,), learning_rate=0.003, random_state=0)
        for start in range(0, n_samples, CHUNK):
            model.partial_fit(
                X[start : start + CHUNK],
                y[start : start + CHUNK],
                classes=[0, 1],
                X_val=X_val,
                y_val=y_val,
            )
        peaks[n_samples] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del X, y
    print(
        f"{n_samples:>8} samples ({n_samples * N_FEATURES * 4 / 2**20:5.1f} MB): "
        f"peak traced {peaks[n_samples] / 2**20:.2f} MB, "
        f"validation accuracy {model.validation_scores_[-1]:.4f}"
    )

# %%
# Left: the validation accuracy after each chunk of the largest stream.
# Right: the data grew 16 times, the memory did not.
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
seen = CHUNK * np.arange(1, len(model.validation_scores_) + 1)
left.plot(seen, model.validation_scores_)
left.set(
    xlabel="samples seen",
    ylabel="validation accuracy",
    title="Learning as data arrives",
)
sizes = list(peaks)
right.plot(
    sizes, [n * N_FEATURES * 4 / 2**20 for n in sizes], "o-", label="data on disk"
)
right.plot(sizes, [peaks[n] / 2**20 for n in sizes], "o-", label="peak traced memory")
right.set(xscale="log", yscale="log", xlabel="samples", ylabel="MB", title="Memory")
right.legend()
fig.tight_layout()
