"""The organisation's settings as the build checks them, and the footer's links per language."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, write

from civicloop.loading import load
from civicloop.organisation import Contact, colour, contact, contrast, footer


def test_contrast_follows_wcag():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # WCAG's own example


@pytest.mark.parametrize("value", ["#3949ab", "#1F5F8B", " #000000 "])
def test_a_dark_enough_colour_is_taken(value):
    assert colour(value) == value.strip().lower()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("#ffeb3b", "1.2"),  # yellow: white text on it cannot be read
        ("#777777", "4.48:1"),  # just below 4.5
        ("red", "#RRGGBB"),
        ("#fff", "#RRGGBB"),
        ("#3949ab;background:url(x)", "#RRGGBB"),
    ],
)
def test_a_colour_too_light_or_not_a_colour_is_refused_with_the_fix(value, says):
    with pytest.raises(ValueError) as error:
        colour(value)
    assert says in str(error.value)
    assert "darker" in str(error.value) or "e.g. #1f5f8b" in str(error.value)


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("participation@example.org", "mailto:participation@example.org"),
        (" a.b+c@city.example.be ", "mailto:a.b+c@city.example.be"),
        ("https://example.org/contact?x=1", "https://example.org/contact?x=1"),
    ],
)
def test_a_contact_is_an_email_address_or_an_https_page(value, url):
    assert contact(value) == Contact(value.strip(), url)


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "http://example.org/contact",
        "someone",
        "a@b",
        'x@example.org"><script>',
        "https://example.org/<script>",
        "mailto:x@example.org",
    ],
)
def test_anything_else_is_refused_with_the_fix(value):
    with pytest.raises(ValueError, match="neither an email address nor an https://"):
        contact(value)


def test_the_footer_links_the_pages_there_are_in_each_language(tmp_path: Path):
    root = tmp_path / "content"
    write(root, "index.md", "---\ntype: listing\nlist: home\ntitle: Home\n---\nHello.\n")
    write(root, "calendar.md", "---\ntype: listing\nlist: calendar\ntitle: Calendar\n---\n")
    write(root, "accessibility.md", "---\ntitle: Accessibility\n---\n\nText.\n")
    catalog = load(root)
    known = Contact("a@example.org", "mailto:a@example.org")
    english = footer(catalog, "en", known)
    assert [(link.label, link.url) for link in english.links] == [
        ("Calendars", "calendar/"),
        ("All sessions (.ics)", "calendar.ics"),
        ("News feed (Atom)", "feed.xml"),
        ("Accessibility", "accessibility/"),
    ]  # no take-part, open-data or privacy page in this content: no link to them
    assert english.contact == known and english.contact_label == "Contact:"
    french = footer(catalog, "fr", None)
    assert [(link.label, link.url) for link in french.links] == [
        ("Agendas", "fr/calendar/"),
        ("Toutes les séances (.ics)", "calendar.ics"),
        ("Fil d'actualités (Atom)", "fr/feed.xml"),  # each language has its feed
        ("Accessibilité", "fr/accessibility/"),
    ]
    assert french.label == "À propos de ce site" and french.contact is None


def test_generate_takes_the_contact_and_refuses_one_it_cannot_use(tmp_path: Path, capsys):
    from civicloop.cli import main

    root = tmp_path / "content"
    write(root, "index.md", "---\ntype: listing\nlist: home\ntitle: Home\n---\nHello.\n")
    write(root, "take-part.md", "---\ntype: listing\nlist: take-part\ntitle: Take part\n---\n")
    out = tmp_path / "tree"
    command = ["--content", str(root), "generate", "--out", str(out), "--contact"]
    assert main([*command, "javascript:alert(1)"]) == 1
    assert "--contact: 'javascript:alert(1)' is neither" in capsys.readouterr().err
    assert not out.exists()
    assert main([*command, "town@example.org"]) == 0
    page = (out / "en/take-part.md").read_text()
    assert "[town@example.org](mailto:town@example.org)" in page


def test_the_footer_links_the_files_the_build_writes(sample_site: Path):
    """Each footer link that is not a page is a file of the build, in every language: the feed's
    place is the one `languages.feed_path` gives the build (review 10)."""
    from civicloop.artefacts import artefacts
    from civicloop.languages import CODES
    from civicloop.sitecontext import SiteContext

    site = SiteContext.open(ROOT / "content", "https://civic.example/")
    written = artefacts(site, "civicloop")
    for lang in CODES:
        for link in footer(site.catalog, lang, None).links:
            assert link.url.endswith("/") or link.url in written, (lang, link)
            assert (sample_site / link.url).exists(), (lang, link)
