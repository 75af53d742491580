"""What the browser tests check, usable on any built site: accessibility (axe-core, keyboard),
privacy (requests and cookies), weight (bytes transferred) and layout on a small screen.

The tests in this folder, `make screenshots` and `make weights` use these same functions
(`PYTHONPATH=tests .venv/bin/python -m browser.sitecheck --help`), so the figures a person reads
and the figures the tests assert are measured the same way.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python

# axe-core comes inside the pinned PyPI package axe-playwright-python: no run-time download.
AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BUDGET = 300 * 1024  # bytes transferred on a first load, per page type

CHROMIUM = "/usr/bin/chromium"
# Chromium on its own contacts Google (updates, safe browsing, field trials...): these flags stop
# it, and the resolver rule makes every host but loopback unresolvable, so nothing a test does
# can leave the machine. What a page asks for is still seen by `page.on("request")`.
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
VIDEO_HOSTS = re.compile(r"^https?://(www\.youtube-nocookie\.com|player\.vimeo\.com)/")
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 360, "height": 640}
PHONE = {"viewport": MOBILE, "is_mobile": True, "has_touch": True}  # a touch phone's context

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
    "take part": "take-part/",
    "accessibility statement": "accessibility/",
    "recommendation": (
        "committees/sample-neighbourhood-committee/recommendations/03-raised-crossings/"
    ),
    "recommendations tracker": "recommendations/",
    "committee tracker": "committees/sample-neighbourhood-committee/recommendations/",
    "search results": "",  # the home page with a query typed into Material's search
    "French page": "fr/committees/sample-neighbourhood-committee/",
}
SEARCH_QUERY = "committee"
# A page with a video player: the minimal test content's webinar (the sample content publishes
# no replay it cannot source).
VIDEO_PAGE = "webinars/a-webinar/"


def chromium_executable() -> str | None:
    """Debian's Chromium, or one named by `CIVICLOOP_CHROMIUM` or found on the PATH; None
    when there is none at all."""
    wanted = [os.environ.get("CIVICLOOP_CHROMIUM", ""), CHROMIUM, "chromium", "chromium-browser"]
    for name in filter(None, wanted):
        found = shutil.which(name)
        if found and os.access(found, os.X_OK):
            return found
    return None


def launch(playwright, executable: str):
    args = list(CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses its sandbox as root
    return playwright.chromium.launch(executable_path=executable, args=args, headless=True)


def lang_of(path: str) -> str:
    return "fr" if path.startswith("fr/") else "en"


def slug(name: str) -> str:
    return name.lower().replace(" ", "-")


# --- visiting ---------------------------------------------------------------------------------


@dataclass
class Visit:
    """A page and every request it made (its frames' and workers' included)."""

    page: object
    base: str
    requests: list[str] = field(default_factory=list)
    finished: list[object] = field(default_factory=list)

    def foreign(self) -> list[str]:
        """Requests to any host other than the site's own."""
        own = urlsplit(self.base).netloc
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).netloc != own
        ]


def open_page(context, base: str, path: str, wait_until: str = "networkidle") -> Visit:
    page = context.new_page()
    visit = Visit(page, base)
    page.on("request", lambda request: visit.requests.append(request.url))
    page.on("requestfinished", lambda request: visit.finished.append(request))
    page.goto(base + path, wait_until=wait_until)
    return visit


def stand_in_for_video_hosts(page) -> list[str]:
    """Answer the page's requests to the video hosts with a blank player, so that nothing
    leaves the machine; the list returned fills with the URLs asked for."""
    asked: list[str] = []

    def answer(route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>player</title>")

    page.route(VIDEO_HOSTS, answer)
    return asked


def open_search(page, query: str = SEARCH_QUERY) -> None:
    """Type `query` into Material's search, as a visitor would, and wait for the results."""
    opener = page.locator("label.md-header__button[for='__search']")
    if opener.is_visible():  # on a small screen, the magnifier button opens the search
        opener.click()
    field = page.locator("input.md-search__input")
    field.click()
    field.press_sequentially(query, delay=20)
    page.locator(".md-search-result__item").first.wait_for(state="visible")
    page.wait_for_load_state("networkidle")


def open_type(context, base: str, name: str, wait_until: str = "networkidle") -> Visit:
    """The page of type `name` (see PAGES), search results with their query typed."""
    visit = open_page(context, base, PAGES[name], wait_until)
    if name == "search results":
        open_search(visit.page)
    return visit


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


# What focus may change on a focused element or on what shows its focus for it: its labels (for
# Material's visually hidden palette switch) and its parents (the search field's form).
_FOCUS_JS = """
const props = ['outline-style', 'outline-width', 'outline-color', 'outline-offset',
  'box-shadow', 'background-color', 'color', 'text-decoration-line', 'border-top-color',
  'border-bottom-color', 'opacity'];
const labels = el => [  // Material shows a hidden radio's focus on the label after it
  ...(el.id ? document.querySelectorAll('label[for="' + el.id + '"]') : []),
  ...(el.nextElementSibling && el.nextElementSibling.tagName === 'LABEL'
      ? [el.nextElementSibling] : [])];
const shownBy = el => [el, el.parentElement, el.parentElement && el.parentElement.parentElement,
  ...labels(el)].filter(Boolean);
const looks = el => shownBy(el).map(e => { const s = getComputedStyle(e);
  return props.map(p => s.getPropertyValue(p)).join('|'); }).join(' / ');
const onScreen = el => {  // some of it within the viewport, and not transparent nor hidden
  const r = el.getBoundingClientRect();
  if (!(r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0
        && r.left < innerWidth)) return false;
  for (let e = el; e; e = e.parentElement) {
    const s = getComputedStyle(e);
    if (Number(s.opacity) < 0.1 || s.visibility === 'hidden') return false;
  }
  return true;
};
const settled = () => new Promise(resolve =>  // the page's scripts react within a frame or two
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0))));
"""
FOCUS_STOP_JS = (
    "async () => {"
    + _FOCUS_JS
    + """
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  if (el.dataset.tabstop) return {repeat: Number(el.dataset.tabstop)};
  await settled();
  const n = document.querySelectorAll('[data-tabstop]').length;
  el.dataset.tabstop = String(n);
  const name = el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className
    ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const text = (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 50);
  return {n, name, text, looks: looks(el), seen: [el, ...labels(el)].some(onScreen)};
}"""
)
UNFOCUSED_JS = (
    "async () => {"
    + _FOCUS_JS
    + """
  const stops = [...document.querySelectorAll('[data-tabstop]')]
    .sort((a, b) => a.dataset.tabstop - b.dataset.tabstop);
  await settled();
  return stops.map(looks);
}"""
)


NO_TRANSITIONS = (
    "*, *::before, *::after { transition: none !important; animation: none !important }"
)


def tab_stops(page, limit: int = 300) -> list[dict]:
    """Press Tab through the whole page (from the top, until focus comes round again) and say,
    for each stop, whether its focus shows: the element (or its label) is on screen and
    something looks different while it is focused (an outline, a shadow, a colour...)."""
    # Transitions only delay what focus shows: without them, each state can be read at once.
    page.add_style_tag(content=NO_TRANSITIONS)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STOP_JS)
        if stop is None or "repeat" in stop:
            break
        stops.append(stop)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    unfocused = page.evaluate(UNFOCUSED_JS)
    for stop, looks in zip(stops, unfocused, strict=True):
        stop["visible"] = stop["seen"] and stop.pop("looks") != looks
    return stops


# --- weight -----------------------------------------------------------------------------------

WEIGHT_JS = """() => [...performance.getEntriesByType('navigation'),
                      ...performance.getEntriesByType('resource')]
  .map(e => ({url: e.name, transfer: e.transferSize, encoded: e.encodedBodySize,
              decoded: e.decodedBodySize}))"""


def weight(visit: Visit) -> list[dict]:
    """Every response of the page's first load: bytes transferred (headers and body as sent,
    compressed), the compressed body and the uncompressed body. The Performance API gives the
    document's own; what the search worker fetched itself (lunr's language scripts) is not in the
    document's timeline, so Playwright's counts of those requests complete the list."""
    entries = visit.page.evaluate(WEIGHT_JS)
    known = {e["url"] for e in entries}
    for request in visit.finished:
        if request.url in known or urlsplit(request.url).scheme not in ("http", "https"):
            continue
        sizes = request.sizes()
        body = sizes["responseBodySize"]
        entries.append(
            {
                "url": request.url,
                "transfer": body + sizes["responseHeadersSize"],
                "encoded": body,
                "decoded": None,
            }
        )
        known.add(request.url)
    return entries


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


@dataclass
class FirstLoad:
    """What a visitor's browser did on a first visit (fresh profile, empty cache)."""

    name: str
    url: str
    requests: list[str]
    foreign: list[str]
    cookies: list[dict]
    entries: list[dict]
    lang: str

    @property
    def transferred(self) -> int:
        return sum(e["transfer"] for e in self.entries)

    def by_kind(self) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for e in self.entries:
            kinds[kind_of(e["url"])] = kinds.get(kind_of(e["url"]), 0) + e["transfer"]
        return kinds


def first_load(browser, base: str, name: str, path: str | None = None) -> FirstLoad:
    """The first load of page type `name` (see PAGES), or of any `path` of the site."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        visit = open_type(context, base, name) if path is None else open_page(context, base, path)
        return FirstLoad(
            name=name,
            url=visit.page.url,
            requests=list(visit.requests),
            foreign=visit.foreign(),
            cookies=context.cookies(),
            entries=weight(visit),
            lang=visit.page.evaluate("document.documentElement.lang"),
        )
    finally:
        context.close()


def weights_table(loads: list[FirstLoad]) -> str:
    kinds = ["HTML", "CSS", "JS", "search index", "other"]
    head = "| page type | page | requests | transferred | " + " | ".join(kinds) + " |"
    rows = [head, "|" + "---|" * 3 + "--:|" * (len(kinds) + 1)]
    for load in loads:
        by = load.by_kind()
        by["other"] = by.get("other", 0) + by.pop("fonts", 0)
        path = urlsplit(load.url).path
        cells = [f"{by.get(k, 0) / 1024:.1f}" for k in kinds]
        rows.append(
            f"| {load.name} | `{path}` | {len(load.entries)} | "
            f"**{load.transferred / 1024:.1f} KB** | " + " | ".join(cells) + " |"
        )
    return "\n".join(rows)


# --- layout -----------------------------------------------------------------------------------

OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width)
    found.push('document: scrollWidth ' + document.documentElement.scrollWidth + ' > ' + width);
  const scrollable = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll')
          && p.getBoundingClientRect().right <= width + 0.5) return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('article *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if ((r.right > width + 0.5 || r.left < -0.5) && !scrollable(el)) {
      const name = el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
      found.push(name + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right)
        + 'px: ' + (el.textContent || '').trim().slice(0, 60));
    }
  }
  return found;
}"""


def overflowing(page) -> list[str]:
    """What sticks out of the viewport sideways: the document, or any element of the article
    that is not inside a scrollable wrapper (such as Material's table wrapper)."""
    return page.evaluate(OVERFLOW_JS)


# --- make screenshots / make weights ------------------------------------------------------------


@contextmanager
def _browser_on(site: Path):
    from playwright.sync_api import sync_playwright

    from .gzipserver import SiteServer, built_port

    executable = chromium_executable()
    if executable is None:
        sys.exit(f"Chromium not found at {CHROMIUM}: run `make chromium`")
    with SiteServer(site, port=built_port(site)) as server, sync_playwright() as playwright:
        browser = launch(playwright, executable)
        try:
            yield browser, server.url
        finally:
            browser.close()


def screenshot_pages() -> dict[str, str]:
    """Every page type the validators check (in English), the search results, the French page
    of a committee and the not-found page, by name."""
    from .validators import NOT_FOUND, TYPES  # validators imports this module

    return {
        **TYPES,
        "search results": PAGES["search results"],
        "French page": PAGES["French page"],
        "not found": NOT_FOUND,
    }


@dataclass
class Shot:
    name: str
    path: str
    screen: str  # "desktop" or "phone"
    file: Path
    height: int  # of the whole page, CSS pixels
    overflow: int  # elements past the screen's right edge (0: nothing scrolls sideways)


def screenshots(site: Path, out: Path) -> list[Shot]:
    """A full-page screenshot of each page type, on a desktop and on a 360×640 touch phone,
    with the page's height and whether anything overflows sideways."""
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with _browser_on(site) as (browser, base):
        screens = (("desktop", {"viewport": DESKTOP}), ("phone", PHONE))
        for label, options in screens:
            context = browser.new_context(**options)
            context.set_default_timeout(30_000)
            for name, path in screenshot_pages().items():
                visit = open_page(context, base, path)
                if name == "search results":
                    open_search(visit.page)
                file = out / f"{slug(name)}-{label}.png"
                visit.page.screenshot(path=str(file), full_page=name != "search results")
                height = visit.page.evaluate("document.documentElement.scrollHeight")
                overflow = len(overflowing(visit.page))
                shots.append(Shot(name, path, label, file, height, overflow))
                visit.page.close()
            context.close()
    return shots


SHOTS_START, SHOTS_END = "<!-- screenshots: start -->", "<!-- screenshots: end -->"


def write_screenshot_figures(shots: list[Shot], readme: Path) -> str:
    """The figures of `make screenshots` per page type, into their section of `readme`."""
    by_page: dict[str, dict[str, Shot]] = {}
    for shot in shots:
        by_page.setdefault(shot.name, {})[shot.screen] = shot
    rows = [
        "| page type | page | desktop height | phone height | past the right edge "
        "(desktop, phone) | files |",
        "|---|---|--:|--:|--:|---|",
    ]
    for name, screens in by_page.items():
        desktop, phone = screens["desktop"], screens["phone"]
        files = f"`{desktop.file.name}`, `{phone.file.name}`"
        rows.append(
            f"| {name} | `/{desktop.path}` | {desktop.height} | {phone.height} | "
            f"{desktop.overflow}, {phone.overflow} | {files} |"
        )
    section = f"""{SHOTS_START}
## Screenshots

`make screenshots` takes each page type of the sample site (`make build`) on a desktop
({DESKTOP["width"]}×{DESKTOP["height"]}) and on a {MOBILE["width"]}×{MOBILE["height"]} touch
phone, full page (the search results: the screen with the dialog open), into
`build/screenshots/`, and writes this table: each page's height in CSS pixels and the number of
elements that reach past the screen's right edge (0: nothing scrolls sideways;
`tests/browser/test_mobile.py` checks the phone). Taken {date.today().isoformat()}.

{chr(10).join(rows)}
{SHOTS_END}"""
    write_section(readme, SHOTS_START, SHOTS_END, section)
    return section


def write_weights(site: Path, out: Path) -> str:
    with _browser_on(site) as (browser, base):
        loads = [first_load(browser, base, name) for name in PAGES]
    text = f"""# Page weights

What a visitor's browser transfers on a first visit to one page of each type (fresh profile,
empty cache), compressed as a static host serves it (gzip), measured in Chromium with the
Performance API (`transferSize` of the navigation and every resource, headers included) plus
the scripts the search worker fetches itself. The budget is {BUDGET // 1024} KB per page type;
`tests/browser/test_weight.py` checks it. Sizes in KB (1,024 bytes).

Written by `make weights` from the site in `build/site` (`make build`); the search index grows
with the content (about 4.4 KB raw per page), so the figures move as pages are added.

{weights_table(loads)}

Every page loads the same theme (Material's CSS and JavaScript, about 60 KB), the search
index, the search worker and its lunr scripts, and the site's own CSS and JavaScript; "other"
is `sitemap.xml` (read by Material's language switcher) and the favicon. Fonts are the
system's (`font: false`): none is downloaded. No request goes to another host.
"""
    out.write_text(text, encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m browser.sitecheck", description=__doc__)
    parser.add_argument("what", choices=["screenshots", "weights"])
    parser.add_argument("--site", type=Path, default=Path("build/site"))
    parser.add_argument("--out", type=Path, help="build/screenshots or bench/weights.md")
    parser.add_argument(
        "--readme", type=Path, default=Path("bench/README.md"), help="where figures go"
    )
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        sys.exit(f"{args.site}/index.html not found: run `make build` first")
    if args.what == "screenshots":
        shots = screenshots(args.site, args.out or Path("build/screenshots"))
        print(write_screenshot_figures(shots, args.readme))
    else:
        print(write_weights(args.site, args.out or Path("bench/weights.md")))


if __name__ == "__main__":
    main()


def write_section(path: Path, start: str, end: str, section: str) -> None:
    """Put `section` (which begins with `start` and ends with `end`) in place of the part of
    the file between those markers, or at its end the first time."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if start in text and end in text:
        marked = re.escape(start) + ".*?" + re.escape(end)
        text = re.sub(marked, lambda _: section, text, count=1, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
