"""Open every page of the built site in headless Chromium and fail on any problem.

Usage: ``python doc/check_site.py [doc/_build/html]``. The site is served on
127.0.0.1 by the standard library's HTTP server. Every HTML page is visited;
a page fails on a response of 400 or more, a failed request, a console error
or an uncaught exception; every image of a gallery page must have loaded;
math must have been typeset by the local MathJax; the search page must find
``partial_fit``. Screenshots of four pages go to ``<build>/../screenshots``.
Drives Debian's ``chromium`` through Playwright (never ``playwright install``).
"""

import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = {
    "home": "index.html",
    "user_guide": "user_guide/backprop.html",
    "api": "generated/skprop.BackpropClassifier.html",
    "gallery": "auto_examples/plot_training_curves.html",
}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(root):
    """Serve `root` on a free port of 127.0.0.1; return the server."""
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def watch(page, problems):
    """Record every failed response, request, console error and exception."""
    page.on(
        "response",
        lambda r: r.status >= 400 and problems.append(f"HTTP {r.status} {r.url}"),
    )
    page.on(
        "requestfailed",
        lambda r: problems.append(f"request failed {r.url}: {r.failure}"),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "console",
        lambda m: m.type == "error" and problems.append(f"console error: {m.text}"),
    )


def check_page(page, url, relative):
    """Extra checks of one loaded page; returns a list of problems."""
    problems = []
    if relative.startswith("auto_examples/"):
        broken = page.evaluate(
            "Array.from(document.images)"
            ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        problems += [f"image did not load: {src}" for src in broken]
    if page.locator("div.math, span.math").count():
        # MathJax 2 marks each typeset formula with the class MathJax_CHTML.
        page.wait_for_function(
            "() => document.querySelectorAll('.MathJax_CHTML').length > 0",
            timeout=20_000,
        )
        raw = page.evaluate(
            "Array.from(document.querySelectorAll('div.math, span.math'))"
            ".filter(e => !e.querySelector('.MathJax_CHTML')).length"
        )
        if raw:
            problems.append(f"{raw} formulas not typeset")
    return problems


def check_search(page, base):
    """The search page finds partial_fit."""
    page.goto(f"{base}/search.html?q=partial_fit")
    page.wait_for_selector("#search-results li", timeout=30_000)
    hits = page.locator("#search-results li").count()
    print(f"search for partial_fit: {hits} results")
    return [] if hits else ["search found nothing for partial_fit"]


def main(build):
    build = Path(build).resolve()
    shots = build.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    pages = sorted(p.relative_to(build).as_posix() for p in build.rglob("*.html"))
    pages = [
        p for p in pages if not p.startswith(("_static/", "_modules/", "_images/"))
    ]
    server = serve(build)
    base = f"http://127.0.0.1:{server.server_port}"
    failures = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems = []
        watch(page, problems)
        for relative in pages:
            problems.clear()
            page.goto(f"{base}/{relative}", wait_until="networkidle")
            found = list(problems) + check_page(page, base, relative)
            print(f"{'FAIL' if found else 'ok  '} {relative}")
            if found:
                failures[relative] = found
        problems.clear()
        found = check_search(page, base) + list(problems)
        if found:
            failures["search.html?q=partial_fit"] = found
        for name, relative in SCREENSHOTS.items():
            page.goto(f"{base}/{relative}", wait_until="networkidle")
            page.screenshot(path=str(shots / f"{name}.png"), full_page=False)
            print(f"screenshot {shots / f'{name}.png'}")
        browser.close()
    server.shutdown()
    print(f"visited {len(pages)} pages and the search; {len(failures)} with problems")
    for relative, found in failures.items():
        for problem in found:
            print(f"  {relative}: {problem}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "doc/_build/html"))
