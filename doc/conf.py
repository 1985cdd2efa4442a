"""Sphinx configuration of skprop's documentation site.

Build: ``python -m sphinx -W -n -b html doc doc/_build/html`` from the
repository root (``pip install ".[docs]"`` first). Environment variables
for quicker builds while writing pages:

- ``SKPROP_DOCS_GALLERY=0`` renders the gallery without running it;
- ``SKPROP_DOCS_EXAMPLES=<regex>`` runs only the examples whose path matches.
"""

import os
import shutil
import sys
from pathlib import Path

import skprop

sys.path.insert(0, str(Path(__file__).resolve().parent))

project = "skprop"
author = "skprop developers"
copyright = "skprop developers"
release = skprop.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinx_design",
    "sphinx_copybutton",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = [
    "_build",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "sg_execution_times.rst",
]
templates_path = ["_templates"]

# -- Cross-references ---------------------------------------------------------
# No network, so no intersphinx: references to Python, NumPy or scikit-learn
# stay plain text. Nitpicky mode still checks every reference into skprop.
nitpick_ignore_regex = [(r"py:.*", r"(?!skprop\b).*")]

# -- API reference --------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()


def skip_foreign_members(app, what, name, obj, skip, options):
    """Document skprop's own methods only: scikit-learn's inherited ones
    (``set_fit_request``, ``get_params``, ...) are documented by scikit-learn,
    and their docstrings point at its labels."""
    if skip:
        return True
    module = getattr(obj, "__module__", None) or ""
    if what == "class" and callable(obj) and not module.startswith("skprop"):
        return True
    return None


# -- MyST (Markdown pages) -------------------------------------------------------
myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath", "deflist"]
myst_heading_anchors = 3

# -- Math, served from the build (no CDN) ----------------------------------------
MATHJAX_SOURCE = Path(os.environ.get("SKPROP_MATHJAX", "/usr/share/javascript/mathjax"))
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS_CHTML"
# MathJax 2 reads its own configuration; MyST's (for MathJax 3) is left out.
mathjax2_config = {
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processEscapes": True,
    }
}
myst_update_mathjax = False


def copy_mathjax(app, exception):
    """Copy a local MathJax 2 (Debian's libjs-mathjax) into the built site."""
    if exception is not None or app.builder.format != "html":
        return
    if not (MATHJAX_SOURCE / "MathJax.js").exists():
        raise RuntimeError(
            f"No MathJax in {MATHJAX_SOURCE}: apt-get install libjs-mathjax, "
            "or point SKPROP_MATHJAX at a MathJax 2 directory."
        )
    target = Path(app.outdir) / "_static" / "mathjax"
    shutil.copytree(
        MATHJAX_SOURCE,
        target,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("unpacked", "test", "*-full.js"),
    )


# -- Gallery ------------------------------------------------------------------------
_only = os.environ.get("SKPROP_DOCS_EXAMPLES")
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # quickstart.py keeps the README's quick-start name; every other
    # example is a plot_*.py.
    "filename_pattern": _only or r"/(plot_\w+|quickstart)\.py$",
    "ignore_pattern": r"(__init__|conftest)\.py$",
    "plot_gallery": os.environ.get("SKPROP_DOCS_GALLERY", "True"),
    "doc_module": ("skprop",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"skprop": None},
    # Name objects by their documented module (skprop.optimizers.Adam), so
    # that each API page lists the examples using it.
    "prefer_full_module": {r"skprop"},
    "min_reported_time": 0,
    # Its page loads jQuery and DataTables from CDNs; the site works offline.
    "write_computation_times": False,
    "abort_on_example_error": True,
    "show_memory": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
}

# -- HTML -----------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skprop {release}"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_logo = "_static/favicon.svg"
html_context = {"default_mode": "light"}
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "faq": [], "changelog": []}
html_show_sourcelink = False
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True


def setup(app):
    app.connect("autodoc-skip-member", skip_foreign_members)
    app.connect("build-finished", copy_mathjax)
