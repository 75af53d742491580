"""Nothing anyone writes runs in a visitor's browser or breaks a machine-readable output.

Every text field of every content type gets each payload of a corpus (OWASP's XSS filter
evasion cheat sheet, Markdown and MkDocs syntax, Unicode); each page, feed, calendar and data
file is compared with the same content where every payload is the plain word "Word": the same
structure (elements, attributes), and the same text with the payload, as written, for the word.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import icalendar
import markdown
import pytest
import vobject
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, build_site, write
from pydantic import BaseModel

from bot.store import Store
from civicloop import escaping, sharing
from civicloop.calendar import calendars
from civicloop.cli import main
from civicloop.escaping import markdown_link, markdown_paragraphs, markdown_text
from civicloop.feed import feed
from civicloop.opendata import data_files
from civicloop.pages import render
from civicloop.results import Answer, PollInfo, change_for, results_of
from civicloop.sitecontext import SiteContext

WORD = "Word"
# (what an editor or a citizen writes, what readers must see); None: exactly what was written.
TEXT: list[tuple[str, str | None]] = [
    # HTML and script, after OWASP's XSS filter evasion cheat sheet
    ('"><img src=x onerror=alert(1)>', None),
    ("<script>alert('XSS')</script>", None),
    ("<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>", None),
    ("<IMG SRC=\"javascript:alert('XSS');\">", None),
    ("<IMG SRC=JaVaScRiPt:alert('XSS')>", None),
    ("<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;>", None),
    ("<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C>", None),
    ("<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">", None),
    ('<<SCRIPT>alert("XSS");//\\<</SCRIPT>', None),
    ("<svg/onload=alert('XSS')>", None),
    ("<BODY ONLOAD=alert('XSS')>", None),
    ("<iframe src=\"javascript:alert('XSS');\"></iframe>", None),
    ('<a href="javascript:alert(1)">click</a>', None),
    ('<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>', None),
    ("<scr<script>ipt>alert(1)</scr</script>ipt>", None),
    ("<div style=\"background-image: url(javascript:alert('XSS'))\">", None),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", None),
    ('<!--<img src="--><img src=x onerror=alert(1)//">', None),
    ("</title><script>alert(1)</script>", None),
    ("' onmouseover='alert(1)' x='", None),
    ("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#60;b&#62;", None),
    ("<details open ontoggle=alert(1)>", None),
    ('<object data="javascript:alert(1)"></object><embed src="data:text/html,x">', None),
    # Markdown, its extensions, MkDocs and Jinja
    ("[x](javascript:alert(1))", None),
    ("[x](<javascript:alert(1)>)", None),
    ('![x](x" onerror="alert(1))', None),
    ("![pixel](https://tracker.example/pixel.png)", None),
    ("<https://evil.example/> <mailto:x@evil.example>", None),
    ("[x][evil] [evil]: javascript:alert(1)", None),
    ('text {: onclick="alert(1)" }', None),
    ("Heading {: #id .big onclick=alert(1) }", None),
    ('!!! note "Injected"', None),
    ("??? note", None),
    ("???+ danger open", None),
    ("<details><summary>x</summary>y</details>", None),
    ("| a | b |", None),
    ("[^1] and [^1]: a footnote", None),
    ("{{ config }} {{ page.title }}", None),
    ("{% raw %}x{% endraw %} {% include 'base.html' %}", None),
    ("<!-- material/tags -->", None),
    ("<!--", None),
    ("*emphasis* __strong__ `code` ~~strike~~ ==mark== ^^ins^^", None),
    ("# Heading", None),
    ("- item", None),
    ("+ item", None),
    ("1. item", None),
    ("2026) item", None),
    ("> quote", None),
    ("```js", None),
    ("~~~", None),
    ("---", None),
    ("***", None),
    ("===", None),
    (": definition", None),
    ("[TOC]", None),
    ("*[HTML]: Hyper Text", None),
    ('<div markdown="1">**x**</div>', None),
    ("\\[not a link\\] \\\\ \\", None),
    ("--8<-- 'secrets.txt'", None),
    ("Q&A: Session 3 — citizens' proposals (draft), 50% + 1 #2", None),
    # Unicode: joiners, scripts and marks kept; controls and bidirectional overrides dropped
    ("👨\u200d👩\u200d👧 family, 🏳️\u200d🌈, 🇧🇪, ❤\ufe0f", None),
    ("می\u200cخواهم", None),
    ("क्षि हिन्दी", None),
    ("e\u0301te\u0301 Z\u0351\u0362a\u0310lgo", None),
    ("a\u200bzero\u2060width\ufeff", None),
    ("\u200fRLM and \u200eLRM kept", None),
    ("\u202eRTL override\u202c", "RTL override"),
    ("a\u2066isolate\u2069b\u202a\u202b\u202d", "aisolateb"),
    ("NUL\x00here", "NULhere"),
    ("form\x0cfeed", "form feed"),
    ("bell\x07 esc\x1b del\x7f c1\x9b", "bell esc del c1"),
    ("tab\there", "tab here"),
    ("lone \ud800 surrogate", "lone \ufffd surrogate"),
    ("paired \ud83d\ude00 surrogates", "paired 😀 surrogates"),
    ("nonchar\ufffe\uffff\U0001fffe", "nonchar"),
    ("line\nbreak\r\nand\rcarriage\u2028sep\u2029para\x85nel\vvt", None),
]


def shown(text: str, shown_as: str | None) -> str:
    """What a reader sees: the text as expected, with white space collapsed as HTML shows it."""
    return " ".join((text if shown_as is None else shown_as).split())


# --- the site's Markdown, as MkDocs converts it --------------------------------------------


class _ConfigLoader(yaml.SafeLoader):
    pass


_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
CONFIG = yaml.load((ROOT / "mkdocs.yml").read_text(), _ConfigLoader)
EXTENSIONS = [next(iter(e)) if isinstance(e, dict) else e for e in CONFIG["markdown_extensions"]]
EXTENSION_CONFIGS = {
    k: v or {} for e in CONFIG["markdown_extensions"] if isinstance(e, dict) for k, v in e.items()
}


def to_html(text: str) -> BeautifulSoup:
    html = markdown.markdown(text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    return BeautifulSoup(f"<body>{html}</body>", "html.parser")


def visible(element) -> str:
    """The text of `element`, line breaks as spaces and white space collapsed."""
    for br in element.find_all("br"):
        br.replace_with(" ")
    return " ".join(element.get_text().split())


def shape(element) -> list[tuple[str, tuple[str, ...]]]:
    """The elements and attribute names in `element` (line breaks aside: we make those)."""
    return [(e.name, tuple(sorted(e.attrs))) for e in element.find_all(True) if e.name != "br"]


UNSAFE_URL = re.compile(r"^\s*(javascript|data|vbscript|file):", re.IGNORECASE)


ORGANISATION_COLOUR = re.compile(r":root\{--civicloop-primary:#[0-9a-f]{6}\}")


def _organisation(element) -> bool:
    """The theme's elements made from the organisation's settings, not from the content: the
    logo in the header and the colour's style in the head (site/overrides)."""
    if element.name == "img":
        return element.find_parent(class_="md-logo") is not None
    return element.parent.name == "head" and bool(ORGANISATION_COLOUR.fullmatch(element.text))


def assert_inert(soup: BeautifulSoup) -> None:
    """Nothing that runs: no script element, event handler or script URL."""
    for element in soup.find_all(True):
        if element.name in ("img", "style") and _organisation(element):
            continue
        assert element.name not in ("iframe", "object", "embed", "img", "math", "style"), element
        assert not [a for a in element.attrs if a.lower().startswith("on")], element
        for name in ("href", "src", "data", "action", "formaction", "xlink:href"):
            assert not UNSAFE_URL.match(str(element.get(name, ""))), element


CONTEXTS = {
    "list item": "- {}",
    "paragraph": "{}",
    "heading": "## {}",
    "table cell": "| A | B |\n|---|---|\n| {} | x |",
    "blockquote": "> {}",
    "after a line": "Some text\n{}",
    "admonition": '!!! note "Note"\n    {}',
}


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("text, shown_as", TEXT)
def test_text_is_inert_markdown_in_every_context(text, shown_as, context):
    """`markdown_text` (what every template prints) gives the structure a plain word gets, and
    its text exactly as written."""
    template = CONTEXTS[context]
    hostile = to_html(template.format(markdown_text(text)))
    plain = to_html(template.format(WORD))
    assert shape(hostile) == shape(plain)
    assert visible(hostile) == visible(plain).replace(WORD, shown(text, shown_as))
    assert_inert(hostile)


@pytest.mark.parametrize(
    "text",
    [
        "Session 3 — citizens' proposals",
        "Q&A",
        "What should the city do? Why (or why not)?",
        "Saint-Gilles, 12:30 – 14:00, 50% of 1.5 million",
        "Données d'exemple : « café » à 18 h",
    ],
)
def test_normal_text_needs_no_backslash(text):
    """Escaping is invisible: ordinary prose stays as it was in the Markdown too."""
    assert markdown_text(text) == text.replace("&", "&amp;")


def test_line_breaks_and_paragraphs_are_kept_inertly():
    text = "First line\n# not a heading\n\n??? note\n- not a list\n\n\n> not a quote"
    page = to_html(markdown_paragraphs(text))
    assert [p.name for p in page.body.find_all(True)] == ["p", "br", "p", "br", "p"]
    paragraphs = [[str(s).strip() for s in p.strings] for p in page.select("p")]
    assert paragraphs == [
        ["First line", "# not a heading"],
        ["??? note", "- not a list"],
        ["> not a quote"],
    ]
    indented = to_html('??? note "Transcript"\n\n' + markdown_paragraphs(text, indent=4))
    assert len(indented.select("details p")) == 3 and len(indented.select("details")) == 1


URLS = [
    ("https://example.org/a_(b)?x=1&y=2#top", "https://example.org/a_%28b%29?x=1&y=2#top"),
    (
        'http://example.org/with space/"quote"<x>\'',
        "http://example.org/with%20space/%22quote%22%3Cx%3E%27",
    ),
    ("mailto:team@example.org?subject=Hi there", "mailto:team@example.org?subject=Hi%20there"),
    ("../case-studies/a-case.md#sources", "../case-studies/a-case.md#sources"),
    ("//cdn.example.org/x.pdf", "//cdn.example.org/x.pdf"),
    ("https://example.org/é?q=ü`*_", "https://example.org/%C3%A9?q=%C3%BC%60*_"),
    ("https://example.org/?a=&lt;&#58;", "https://example.org/?a=&lt;&#58;"),
    ("javascript:alert(1)", None),
    ("JaVaScRiPt:alert(1)", None),
    ("  javascript:alert(1)", None),
    ("java\tscript:alert(1)", None),
    ("java\nscript:alert(1)", None),
    ("\x01javascript:alert(1)", None),
    ("java\x00script:alert(1)", None),
    ("javascript\u202e:alert(1)", None),
    ("vbscript:msgbox(1)", None),
    ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", None),
    ("file:///etc/passwd", None),
    ("tel:+3212345678", None),
    ("http://[::1", None),
    ("", None),
    ("javascript&#58;alert(1)", "javascript&#58;alert%281%29"),  # relative: the entity is text
    ("javascript%3Aalert(1)", "javascript%3Aalert%281%29"),
]


@pytest.mark.parametrize("url, href", URLS)
def test_links_go_only_to_web_and_mail_addresses(url, href):
    page = to_html(f"- {markdown_link('<b>Doc</b> [1]', url)}")
    links = page.select("a")
    assert visible(page) == "<b>Doc</b> [1]"
    assert [a["href"] for a in links] == ([href] if href is not None else [])
    assert_inert(page)


def test_templates_make_links_only_through_a():
    """The templates print values only through `finalize` (inert text) and link only with
    `a(text, url)`: a hand-written `[...]({{ url }})` could take a `javascript:` URL."""
    for template in (ROOT / "civicloop/templates").glob("*.md"):
        text = template.read_text()
        assert not re.search(r"\]\(\s*\{\{|<\{\{|\|\s*safe\b", text), template.name


# --- every field of every content type -----------------------------------------------------

IDENTIFIERS = {
    "type", "kind", "status", "process", "timezone", "years", "generator", "list", "role",
    "selection", "tags", "related", "languages", "poll", "session", "id", "url", "online",
    "replay", "by", "group", "starts", "ends", "date", "opens", "closes", "opened", "closed",
    "language", "adopted_at", "evidence", "response_due",
}  # fmt: skip


def poison(value, text: str, name: str | None = None):
    """`value` (front matter, or a content model) with `text` in every text field; in lists, the
    second item gets `text 2`, the third `text 3`... (options must differ)."""
    if isinstance(value, BaseModel):
        fields = {k: poison(getattr(value, k), text, k) for k in type(value).model_fields}
        return value.model_copy(update=fields)
    if isinstance(value, dict):
        return {k: poison(v, text, k) for k, v in value.items()}
    if name in IDENTIFIERS:
        return value
    if isinstance(value, list):
        return [poison(v, f"{text} {i + 1}" if i else text, name) for i, v in enumerate(value)]
    return text if isinstance(value, str) else value


OPENED = datetime(2026, 12, 1, 8, tzinfo=UTC)
CLOSED = datetime(2026, 12, 20, 19, tzinfo=UTC)
FRONT = {
    "committees/{c}/index.md": {
        "type": "committee",
        "title": WORD,
        "kind": "deliberative-committee",
        "question": WORD,
        "status": "active",
        "members": [
            {"role": "citizen", "selection": "drawn-by-lot", "name": WORD, "affiliation": WORD},
            {"role": "politician", "selection": "elected", "count": 10},
        ],
        "languages": ["en", "fr"],
        "timezone": "Europe/Brussels",
        "place": WORD,
        "sources": [{"title": WORD, "url": "https://example.org/a_(b)?x=1&y=2"}],
    },
    "committees/{c}/index.fr.md": {"title": WORD, "question": WORD, "place": WORD},
    "committees/{c}/sessions/01-first.md": {
        "type": "session",
        "title": WORD,
        "number": 1,
        "starts": "2026-12-08T18:30:00+01:00",
        "ends": "2026-12-08T21:00:00+01:00",
        "status": "scheduled",
        "place": WORD,
        "online": "https://meet.example.org/room",
        "agenda": [
            {
                "title": WORD,
                "presenter": WORD,
                "duration": 15,
                "documents": [
                    {"title": WORD, "url": "https://example.org/briefing.pdf"},
                    {"title": WORD, "url": "../../../case-studies/{s}.md"},
                ],
            }
        ],
        "replay": "https://www.youtube.com/watch?v=abcdefghijk",
        "outcomes": WORD,
        "polls": [
            {
                "id": "p{i}",
                "question": WORD,
                "kind": "single",
                "options": [WORD, WORD],
                "opens": "2026-11-20T09:00:00+01:00",
                "closes": "2026-11-26T20:00:00+01:00",
            },
            {
                "id": "q{i}",
                "question": WORD,
                "kind": "multiple",
                "options": [WORD, WORD],
                "opens": "2026-12-01T09:00:00+01:00",
                "closes": "2026-12-20T20:00:00+01:00",
            },
        ],
    },
    "committees/{c}/sessions/00-held.md": {
        "type": "session",
        "title": WORD,
        "number": 2,
        "starts": "2026-10-06T18:30:00+02:00",
        "ends": "2026-10-06T21:00:00+02:00",
        "status": "held",
        "place": WORD,
    },
    "committees/{c}/recommendations/index.md": {
        "type": "listing",
        "list": "recommendations",
        "title": WORD,
    },
    "committees/{c}/recommendations/01-r.md": {
        "type": "recommendation",
        "title": WORD,
        "number": WORD,
        "area": WORD,
        "summary": WORD,
        "wording": WORD,
        "language": "en",
        "adopted_at": "00-held",
        "votes": {"citizen": {"for": 1, "against": 0, "abstained": 0}},
        "owed_by": WORD,
        "response_due": "2026-11-14",
        "response": {
            "date": "2026-11-10",
            "url": "https://example.org/response?a=1&b=2",
            "summary": WORD,
        },
        "status": "accepted",
        "milestones": [
            {"date": "2026-11-12", "what": WORD, "evidence": "https://example.org/e?x=1&y=2"}
        ],
        "rating": {
            "id": "r{i}",
            "opens": "2026-11-12T09:00:00+01:00",
            "closes": "2026-12-15T20:00:00+01:00",
        },
        "sources": [{"title": WORD, "url": "https://example.org/source"}],
    },
    "committees/{c}/recommendations/01-r.fr.md": {"title": WORD, "area": WORD, "summary": WORD},
    "case-studies/{s}.md": {
        "type": "case-study",
        "title": WORD,
        "summary": WORD,
        "place": WORD,
        "country": WORD,
        "years": "2015-",
        "process": "political-task-committee",
        "tags": ["sortition"],
        "outcomes": [WORD, WORD],
        "sources": [{"title": WORD, "url": "https://example.org/source"}],
    },
    "webinars/{w}.md": {
        "type": "webinar",
        "title": WORD,
        "summary": WORD,
        "date": "2024-03-14T14:00:00+01:00",
        "speakers": [{"name": WORD, "affiliation": WORD}],
        "goals": [WORD],
        "replay": "https://www.youtube.com/watch?v=abcdefghijk",
        "related": ["{s}"],
        "transcript": WORD,
    },
}
LISTINGS = {
    "index.md": "home",
    "committees/index.md": "committees",
    "case-studies/index.md": "case-studies",
    "webinars/index.md": "webinars",
    "calendar.md": "calendar",
    "results.md": "results",
    "recommendations.md": "recommendations",
}


def results_file(committee: str, session: str, poll: str, options: list[str]) -> dict:
    info = PollInfo(poll, committee, f"{committee}/{session}", WORD, "single", options)
    change = change_for(results_of(info, [Answer([i % 2], "en") for i in range(7)]), OPENED, CLOSED)
    return yaml.safe_load(change.content.decode().split("---\n")[1])


def write_content(root: Path, texts: list[str]) -> None:
    """One committee (with a translation, a session and a poll's results), case study and
    webinar per text, every text field holding it; listing pages and a plain page (translated)
    titled with the first."""
    for i, text in enumerate(texts):
        names = {"c": f"c{i}", "s": f"s{i}", "w": f"w{i}", "i": str(i)}
        for path, meta in FRONT.items():
            raw = json.dumps(meta)
            for key, name in names.items():
                raw = raw.replace(f"{{{key}}}", name)
            write_doc(root / path.format(**names), poison(json.loads(raw), text), "Body.\n")
        results = results_file(f"c{i}", "01-first", f"p{i}", [WORD, f"{WORD} 2"])
        write_doc(root / f"committees/c{i}/results/p{i}.md", poison(results, text), "Figures.\n")
    for path, kind in LISTINGS.items():
        write_doc(root / path, {"type": "listing", "list": kind, "title": texts[0]}, "Intro.\n")
    for path in ("about.md", "about.fr.md"):  # a plain page: MkDocs reads it, not civicloop
        write_doc(root / path, {"title": texts[0]}, "A page of the editors' own.\n")


def write_doc(path: Path, meta: dict, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    path.write_text(f"---\n{head}---\n{body}", encoding="utf-8")


NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> SiteContext:
    root = tmp_path_factory.mktemp("plain") / "content"
    write_content(root, [WORD])
    site = SiteContext.open(root, "https://civic.example/", NOW)
    assert site.catalog.problems == []
    return site


def poisoned(plain: SiteContext, text: str) -> SiteContext:
    """The plain content with `text` in every text field, past validation (defence in depth:
    what validation lets through must still be safe)."""
    site = SiteContext.open(plain.catalog.root, plain.base_url, NOW)
    for doc in site.catalog.docs.values():
        for each in (doc, *doc.translations.values()):
            each.model = poison(each.model, text)
    return site


def compare(hostile: str, plain: str, text: str) -> None:
    """`hostile` reads as `plain` with each WORD replaced by `text`."""
    assert " ".join(hostile.split()) == " ".join(plain.split()).replace(WORD, text)


@pytest.mark.parametrize("text, shown_as", TEXT)
def test_every_field_of_every_page_is_text(plain, text, shown_as):
    """The generated Markdown of every page in both languages, as MkDocs converts it."""
    hostile = poisoned(plain, text)
    expected = shown(text, shown_as)
    for path, doc in plain.catalog.docs.items():
        for lang in ("en", "fr") if doc.kind else ():
            own = doc.translations.get(lang, doc)
            page = to_html(render(hostile, hostile.catalog.docs[path], lang, own.body))
            twin = to_html(render(plain, doc, lang, own.body))
            assert shape(page) == shape(twin), (path, lang)
            assert visible(page) == visible(twin).replace(WORD, expected), (path, lang)
            assert_inert(page)


@pytest.mark.parametrize("text, shown_as", TEXT)
def test_feed_calendars_and_data_read_as_written(plain, text, shown_as):
    hostile = poisoned(plain, text)
    expected = shown(text, shown_as)

    for lang in ("en", "fr"):
        atom = feed(hostile, "civicloop", lang)
        assert not feedparser.parse(atom).bozo
        twin = ET.fromstring(feed(plain, "civicloop", lang))
        for got, want in zip(ET.fromstring(atom).iter(), twin.iter(), strict=True):
            assert got.tag == want.tag and got.attrib == want.attrib
            compare(got.text or "", want.text or "", expected)

    plain_calendars = calendars(plain, "civicloop")
    for path, data in calendars(hostile, "civicloop").items():
        assert not re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", data.replace(b"\r\n", b"")), path
        parsed = icalendar.Calendar.from_ical(data)
        twin = icalendar.Calendar.from_ical(plain_calendars[path])
        for got, want in zip(parsed.walk(), twin.walk(), strict=True):
            for key in ("SUMMARY", "LOCATION", "DESCRIPTION"):
                if key in want:
                    compare(str(got[key]), str(want[key]), expected)
        # NAME is TEXT (RFC 7986 5.1), which icalendar 7 reads unescaped, as an unknown type
        names = [vobject.readOne(ics.decode()) for ics in (data, plain_calendars[path])]
        for key in ("name", "x-wr-calname"):
            got_name, want_name = (c.contents[key][0].value for c in names)
            compare(got_name, want_name, expected)

    plain_data = data_files(plain)
    for name, data in data_files(hostile).items():
        assert not re.search(rb"[<>&]", data), name  # as \u escapes: inert inside HTML too
        got, want = leaves(json.loads(data)), leaves(json.loads(plain_data[name]))
        assert [key for key, _ in got] == [key for key, _ in want], name
        for (key, g), (_, w) in zip(got, want, strict=True):
            if key[-1] != "hash":  # a digest of the record: it changes with it
                compare(g, w, expected) if isinstance(w, str) else (g == w)


def reads(got: str, want: str, text: str) -> None:
    """`got` reads as `want` with each WORD replaced by `text`, or as its beginning if it was
    shortened (a description ends with "…" where it was cut)."""
    full = " ".join(want.split()).replace(WORD, text)
    got = " ".join(got.split())
    if got.endswith("…") and got != full:
        assert full.startswith(got[:-1]), (got, full)
    else:
        assert got == full


def same_leaves(got, want, text: str) -> None:
    """Two JSON documents with the same keys, the strings of `got` those of `want` with WORD
    replaced by `text`."""
    got, want = leaves(got), leaves(want)
    assert [key for key, _ in got] == [key for key, _ in want]
    for (_, g), (_, w) in zip(got, want, strict=True):
        if isinstance(w, str):
            reads(g, w, text)
        else:
            assert g == w


@pytest.mark.parametrize("text, shown_as", TEXT)
def test_what_pages_share_reads_as_written(plain, text, shown_as):
    """The description, Open Graph values and a session's schema.org Event of every page in
    both languages read back as written; the Event, printed inside `<script>`, holds no `<`,
    `>` or `&` (no `</script>` or `<!--` can end or change the element)."""
    hostile = poisoned(plain, text)
    expected = shown(text, shown_as)
    events = 0
    for path, doc in plain.catalog.docs.items():
        other = hostile.catalog.docs[path]
        for lang in ("en", "fr"):
            title = doc.localized(lang).title if doc.kind else WORD
            poisoned_title = other.localized(lang).title if doc.kind else text
            want = sharing.front(plain, doc, lang, title)
            got = sharing.front(hostile, other, lang, poisoned_title)
            assert got.keys() == want.keys(), path
            if "event" in want:
                events += 1
                assert not re.search("[<>&]", got["event"]), got["event"]
                same_leaves(json.loads(got.pop("event")), json.loads(want.pop("event")), expected)
            same_leaves(got, want, expected)
    assert events == 4  # two sessions (one held, where a recommendation was adopted), two languages


def leaves(value, key: tuple = ()) -> list[tuple[tuple, object]]:
    """The values in a JSON document, by their path."""
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in leaves(v, (*key, k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in leaves(v, (*key, i))]
    return [(key, value)]


# --- the built site: MkDocs and Material around the pages ---------------------------------

# MkDocs and Material see the generated Markdown checked above: what is left to check is what
# they do with titles (HTML, entities, quotes) and Markdown that survived. Control characters
# are left to the tests above: validation may well refuse them in a file.
SITE_TEXT = [
    (text, shown_as)
    for text, shown_as in TEXT
    if text.startswith(('"><img', "</title>", "' on", "&lt;", "<IMG SRC=&#106;", "[x](j", "![x]"))
    or text.startswith(("Heading {:", "??? ", "| a", "{{", "<!-- m", "# ", "Q&A", "👨", "می", "क"))
]


def build(tmp_path: Path, name: str, texts: list[str]) -> Path:
    root = tmp_path / f"{name}-content"
    write_content(root, texts)
    out = tmp_path / name
    result = build_site(root, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_the_built_site_shows_every_field_as_text(tmp_path):
    """Titles reach `<title>`, headings, navigation, listings, tags and the search index, in
    both languages, as text: the site built with the corpus has the elements and attributes of
    the site built with a plain word, and the corpus's text where the word is."""
    texts = [t for t, _ in SITE_TEXT]
    hostile = build(tmp_path, "hostile", texts)
    plain = build(tmp_path, "plain", [WORD] * len(texts))
    pages = sorted(p.relative_to(plain).as_posix() for p in plain.rglob("*.html"))
    assert len(pages) > 4 * len(texts)
    for page in pages:
        got = BeautifulSoup((hostile / page).read_text(), "html.parser")
        want = BeautifulSoup((plain / page).read_text(), "html.parser")
        assert shape(got) == shape(want), page
        assert scripts(got) == scripts(want), page
        assert_inert(got)
        own = PAGE_OF.search(page)  # a page of one text's documents, or a listing of them all
        expected = shown(*SITE_TEXT[int(own[1]) if own else 0])
        for g, w in zip(got.select(SHARED), want.select(SHARED), strict=True):
            reads(g["content"], w["content"], expected)
        for g, w in zip(events(got), events(want), strict=True):
            same_leaves(json.loads(g.string), json.loads(w.string), expected)
        for selector in ("title", "article h1", "article") if own else ("title", "article h1"):
            for g, w in zip(got.select(selector), want.select(selector), strict=True):
                assert visible(g) == visible(w).replace(WORD, expected), (page, selector)
    search = json.loads((hostile / "search/search_index.json").read_text())["docs"]
    plain_search = json.loads((plain / "search/search_index.json").read_text())["docs"]
    for got, want in zip(search, plain_search, strict=True):
        title = BeautifulSoup(got["title"], "html.parser")
        assert not title.find_all(True), got  # Material shows titles as HTML
        if own := PAGE_OF.search(got["location"]):
            expected = shown(*SITE_TEXT[int(own[1])])
            assert visible(title) == visible(BeautifulSoup(want["title"], "html.parser")).replace(
                WORD, expected
            )


SHARED = "meta[name=description], meta[property^='og:']"


def events(soup: BeautifulSoup) -> list:
    return soup.select("script[type='application/ld+json']")


def scripts(soup: BeautifulSoup) -> list:
    """The scripts of a page but its schema.org data (the page's text is in it)."""
    return [s for s in soup.find_all("script") if s not in events(soup)]


PAGE_OF = re.compile(r"(?:^|/)(?:committees/c|case-studies/s|webinars/w)(\d+)/")


# --- citizens' comments: from the bot's store to the results page --------------------------

BREAKING = {"form\x0cfeed", "line\nbreak\r\nand\rcarriage\u2028sep\u2029para\x85nel\vvt"}
UNSTORABLE = {
    "lone \ud800 surrogate",
    "paired \ud83d\ude00 surrogates",
}  # not UTF-8: SQLite refuses
LONG = ("Longer thoughts 👨\u200d👩\u200d👧 می\u200cخواهم क्षि <b>&amp;</b> [x](y) " * 80)[:4096]
COMMENTS: list[tuple[str, list[str] | None]] = [
    *(
        (text, [shown_as] if shown_as else None)
        for text, shown_as in TEXT
        if text not in BREAKING | UNSTORABLE
    ),
    ("form\x0cfeed", ["form", "feed"]),
    (
        "line\nbreak\r\nand\rcarriage\u2028sep\u2029para\x85nel\vvt",
        ["line", "break", "and", "carriage", "sep", "para", "nel", "vt"],
    ),
    ("First line\nsecond line", None),
    ("para\n\n<div>\n\n<script>alert(2)</script>\n\n</div>", None),
    ("!!! note\n    <script>alert(4)</script>", None),
    ('??? note "Hidden"\n    nothing to see', None),
    ("???+ note\n    open box", None),
    ("<details>\n<summary>Click</summary>\nhidden\n</details>", None),
    ("| a | b |\n|---|---|\n| c | d |", None),
    ("a footnote[^1]\n\n[^1]: javascript:alert(1)", None),
    ("[x]\n\n[x]: javascript:alert(1)", None),
    ("```\ncode\n```", None),
    ("~~~ {.js onclick=x}\nalert(1)\n~~~", None),
    ("- a\n- b\n    - c\n1. d", None),
    ("> quoted\n> more", None),
    ("Title\n=====", None),
    ("Title\n-----", None),
    ("    indented code\n\tand a tab", ["indented code", "and a tab"]),
    ("hard break  \nafter two spaces\\\nand a backslash", None),
    ("{% raw %}\n{{ config.extra }}\n{% endraw %}", None),
    ("<!--\nhidden\n-->", None),
    ('<div markdown="1">\n**bold**\n</div>', None),
    ("para\n{: #id onclick=alert(1) }", None),
    (LONG, None),
]


def read_as(comment: str, lines: list[str] | None) -> list[str]:
    return lines if lines is not None else [line.strip() for line in comment.strip().split("\n")]


def test_citizens_comments_reach_the_page_as_written(content, tmp_path, capsys):
    """Each comment, stored by the bot, written by `civicloop results` and built, is one list
    item reading as the citizen wrote it (line breaks kept, only bidirectional and control
    characters left out): no comment adds an element, whatever it says; up to 4,096
    characters, nothing is cut."""
    session = content / "committees/test/sessions/01-first.md"
    closes = "    closes: 2026-12-20T20:00:00+01:00\n"
    second = (
        "  - id: plain-poll\n    question: Which day suits you?\n    kind: single\n"
        "    options: [Monday, Tuesday]\n    opens: 2026-12-01T09:00:00+01:00\n"
    )
    both = f"{closes}    comments: true\n{second}{closes}    comments: true\n"
    session.write_text(session.read_text().replace(closes, both))
    db = tmp_path / "bot.sqlite3"
    store = Store(db, b"secret")
    with store.transaction():
        for user, (comment, _) in enumerate(COMMENTS, start=1):
            for poll, text in (("test-poll", comment), ("plain-poll", f"{WORD} {user}")):
                store.record_answer(poll, user, [user % 2], update_id=user, language="en")
                store.record_comment(poll, user, text, update_id=user)
        for poll in ("test-poll", "plain-poll"):
            store.mark_poll(poll, opened_at=OPENED.isoformat(), closed_at=CLOSED.isoformat())
    for poll in ("test-poll", "plain-poll"):
        (tmp_path / f"{poll}.json").write_text(store.poll_answers(poll).model_dump_json())
    store.close()
    for poll in ("test-poll", "plain-poll"):
        answers = str(tmp_path / f"{poll}.json")
        assert (
            main(["--content", str(content), "results", poll, "--answers", answers, "--print"]) == 0
        )
        write(content, f"committees/test/results/{poll}.md", capsys.readouterr().out)
    result = build_site(content, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr

    expected = sorted(read_as(comment, lines) for comment, lines in COMMENTS)
    for lang in ("", "fr/"):
        folder = tmp_path / f"out/{lang}committees/test/results"
        page = BeautifulSoup((folder / "test-poll/index.html").read_text(), "html.parser")
        twin = BeautifulSoup((folder / "plain-poll/index.html").read_text(), "html.parser")
        article = page.select_one("article")
        assert shape(article) == shape(twin.select_one("article"))
        assert_inert(page)
        items = article.select("ul > li")
        assert len(items) == len(COMMENTS)
        read = []
        for item in items:
            assert all(e.name == "br" for e in item.find_all(True)), item
            for br in item.find_all("br"):
                br.replace_with("\n")
            read.append([line.strip() for line in item.get_text().split("\n")])
        assert sorted(read) == expected


@pytest.mark.parametrize(
    ("comment", "stored"),
    [
        # Telegram's longest message: it used to be cut at 2,000 characters without a mark
        (("Longer thoughts می\u200cخواهم क्षि <b>&amp;</b> [x](y)\n" * 100)[:4096], None),
        # valid JSON, not valid text: it used to make SQLite raise, and the comment was lost
        ("half a pair \ud83d here, \udc4d there", "half a pair \ufffd here, \ufffd there"),
        ("a split pair \ud83d\udc4d", "a split pair \U0001f44d"),
    ],
    ids=["4096 characters", "unpaired surrogates", "split pair"],
)
async def test_the_bot_keeps_a_comment_whole(make_harness, monkeypatch, comment, stored):
    """A comment sent in reply to a poll that asks for them is stored as written (unpaired
    surrogates, which no text can hold, as U+FFFD)."""
    import botkit
    from test_bot_citizens import subscribe

    options = "options: [Monday, Tuesday, Wednesday]\n"
    session_text = botkit.session_text
    monkeypatch.setattr(
        botkit,
        "session_text",
        lambda *args: session_text(*args).replace(options, f"{options}    comments: true\n"),
    )
    kit = await make_harness()
    await subscribe(kit, 1)
    poll = (await kit.until(lambda: [m for m in kit.messages(1) if m.get("poll")]))[0]
    before = len(kit.messages(1))
    kit.ctl.send_message(1, comment, reply_to_message_id=poll["message_id"])
    await kit.reply_to(1, before, "Editors read your comment")
    assert [r["text"] for r in kit.rows("SELECT text FROM comments")] == [stored or comment]


def _filtered(text: str) -> str:
    """What `clean` does to text that is not printable."""
    return escaping.FORBIDDEN.sub("", escaping.LINE_BREAK.sub("\n", escaping.paired(text)))


def test_the_shortcut_for_printable_text_changes_nothing_the_filters_would():
    """`clean` returns printable text as it is: for every code point, alone and all together,
    the three filters it skips would have left it unchanged; text with what they change still
    goes through them."""
    printable = [chr(c) for c in range(0x110000) if chr(c).isprintable()]
    assert [c for c in printable if _filtered(c) != c] == []
    assert _filtered("".join(printable)) == "".join(printable)
    for odd, cleaned in [("\r\n", "\n"), ("\x85", "\n"), ("\u202e", ""), ("\ufffe", "")]:
        assert escaping.clean(f"a{odd}b") == f"a{cleaned}b"
    assert escaping.clean("a\ud800b") == "a\ufffdb"


@pytest.mark.parametrize("indent", [None, 1])
def test_inert_json_is_the_same_json_and_cannot_end_a_script(indent):
    """The one HTML-safe JSON escaping, shared by the open data and pages' JSON-LD (review 9)."""
    texts = [text for text, _ in TEXT] + ["\u2028\u2029 line separators", "</script><!--"]
    data = {"texts": texts, "deep": [{"x": text} for text in texts]}
    made = escaping.inert_json(json.dumps(data, ensure_ascii=False, indent=indent))
    assert not re.search("[<>&\u2028\u2029]", made)
    assert json.loads(made) == data
    soup = BeautifulSoup(f"<script>{made}</script><p>after</p>", "html.parser")
    assert json.loads(soup.script.string) == data and soup.p.string == "after"
    assert sharing.script_json(data) == escaping.inert_json(
        json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    )
