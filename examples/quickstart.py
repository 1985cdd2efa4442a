"""Train BackpropClassifier on scikit-learn's bundled digits and print the
held-out accuracy and the fit time."""

import time

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skprop import BackpropClassifier


def main():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    model = make_pipeline(
        StandardScaler(), BackpropClassifier(hidden_layer_sizes=(100,), random_state=0)
    )
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    print(
        f"digits: held-out accuracy {model.score(X_test, y_test):.4f}, "
        f"fit time {seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
