"""Run the Python code blocks of the site's tutorial pages, in order.

Usage: ``python doc/run_code.py [page ...]`` (default: the pages listed in
``RUNNABLE``). Each page's blocks run one after the other in one namespace,
as a reader would paste them; the script exits non-zero at the first error.
Reference pages whose snippets need your own data, a GPU or a cluster are
not listed.
"""

import re
import sys
import time
import warnings
from pathlib import Path

DOC = Path(__file__).resolve().parent
RUNNABLE = ["getting_started.md", "index.rst"]
BLOCK = re.compile(
    r"^```python\n(.*?)^```|^\.\. code-block:: python\n\n((?:   [^\n]*\n|\n)+)",
    re.M | re.S,
)


def blocks(text):
    """The Python code blocks of a Markdown or reStructuredText page."""
    for fenced, directive in BLOCK.findall(text):
        code = fenced or "\n".join(line[3:] for line in directive.splitlines())
        yield code


def run_page(path):
    namespace = {"__name__": "__main__"}
    for number, code in enumerate(blocks(path.read_text()), 1):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(code, f"{path.name}, block {number}", "exec"), namespace)
        print(f"ran {path.name} block {number} ({time.perf_counter() - start:.1f} s)")


def main(pages):
    for page in pages or RUNNABLE:
        run_page(DOC / page)


if __name__ == "__main__":
    main(sys.argv[1:])
