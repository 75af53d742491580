"""What the browser tests check, usable on any built site: accessibility (axe-core), privacy
(requests and cookies), weight (bytes transferred) and layout on a small screen.

The same functions serve the tests in this folder, `make screenshots` and `make weights`
(`python tests/browser/sitecheck.py --help`), so the figures a person reads and the figures the
tests assert are measured the same way.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python

# axe-core comes inside the pinned PyPI package axe-playwright-python (no run-time download).
AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BUDGET = 300 * 1024  # bytes transferred on a first load, per page type

CHROMIUM = "/usr/bin/chromium"
# Chromium on its own contacts Google (updates, safe browsing, field trials...); these flags stop
# it, and the resolver rule makes every host but loopback unresolvable, so nothing a test does
# can leave the machine. Requests a page makes are still seen by `page.on("request")`.
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-sync",
    "--disable-quic",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
VIDEO_HOSTS = ("www.youtube-nocookie.com", "player.vimeo.com")

# One page of each type, from the site's root.
PAGES: dict[str, str] = {
    "home": "",
    "committee": "committees/sample-neighbourhood-committee/",
    "session": "committees/sample-neighbourhood-committee/sessions/01-kick-off/",
    "results": "committees/sample-neighbourhood-committee/results/sample-safer-streets-priorities/",
    "case study": "case-studies/gentofte-political-task-committees/",
    "case-study index": "case-studies/",
    "webinar": "webinars/citizens-and-policy-makers-together/",
    "calendar": "calendar/",
    "search results": "",  # the home page with a query typed into Material's search
    "French page": "fr/committees/sample-neighbourhood-committee/",
}
SEARCH_QUERY = "committee"


def chromium_executable() -> str | None:
    """Debian's Chromium (`CIVICLOOP_CHROMIUM` overrides the path), or None when absent."""
    wanted = os.environ.get("CIVICLOOP_CHROMIUM", CHROMIUM)
    found = shutil.which(wanted)
    return found if found and os.access(found, os.X_OK) else None


def launch(playwright, executable: str):
    args = list(CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses its sandbox as root
    return playwright.chromium.launch(executable_path=executable, args=args, headless=True)


def lang_of(path: str) -> str:
    return "fr" if path.startswith("fr/") else "en"


# --- visiting ---------------------------------------------------------------------------------


@dataclass
class Visit:
    """A page opened in a fresh context, with every request it made."""

    page: object
    base: str
    requests: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        """Requests to any host other than the site's own."""
        own = urlsplit(self.base).netloc
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).netloc != own
        ]


def open_page(context, base: str, path: str) -> Visit:
    page = context.new_page()
    visit = Visit(page, base)
    page.on("request", lambda request: visit.requests.append(request.url))
    page.goto(base + path, wait_until="networkidle")
    return visit


def open_search(page, query: str = SEARCH_QUERY) -> None:
    """Type `query` into Material's search, as a visitor would, and wait for the results."""
    field = page.locator("input.md-search__input")
    if not field.is_visible():  # on a small screen, the magnifier button opens it
        page.locator("label.md-header__button[for='__search']").click()
        field.wait_for(state="visible")
    field.click()
    field.press_sequentially(query, delay=20)
    page.locator(".md-search-result__item").first.wait_for(state="visible")
    page.wait_for_load_state("networkidle")


# --- accessibility ----------------------------------------------------------------------------


def axe_violations(page) -> list[dict]:
    """axe-core's violations of WCAG 2.0/2.1 A and AA rules on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary[:300]}")
    return "\n".join(lines)


# --- weight -----------------------------------------------------------------------------------

WEIGHT_JS = """() => {
  const entries = [...performance.getEntriesByType('navigation'),
                   ...performance.getEntriesByType('resource')];
  return entries.map(e => ({name: e.name, type: e.initiatorType || 'navigation',
    transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize}));
}"""


def weight(page) -> list[dict]:
    """Every response of the page as the Performance API saw it: bytes transferred (headers and
    compressed body), compressed body and uncompressed body."""
    return page.evaluate(WEIGHT_JS)


def kind_of(url: str) -> str:
    path = urlsplit(url).path
    if path.endswith("/") or path.endswith(".html"):
        return "HTML"
    if path.endswith(".css"):
        return "CSS"
    if path.endswith(".js"):
        return "JS"
    if path.endswith("search_index.json"):
        return "search index"
    if path.endswith((".woff", ".woff2", ".ttf", ".otf")):
        return "fonts"
    return "other"


# --- layout -----------------------------------------------------------------------------------

OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width)
    found.push('document: scrollWidth ' + document.documentElement.scrollWidth + ' > ' + width);
  const scrollable = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && p.clientWidth <= width)
        return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('article *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if ((r.right > width + 0.5 || r.left < -0.5) && !scrollable(el)) {
      const name = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
      found.push(name + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right)
        + ': ' + (el.textContent || '').trim().slice(0, 60));
    }
  }
  return found;
}"""


def overflowing(page) -> list[str]:
    """What sticks out of the viewport sideways (the document, or any element of the article
    not inside a scrollable wrapper such as Material's table wrapper)."""
    return page.evaluate(OVERFLOW_JS)
