"""MkDocs hooks: hand civicloop's pages, calendars, feed and open data to the build.

What each artefact says is decided in `civicloop/`; these hooks only connect it to MkDocs events.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from civicloop import LANGUAGES
from civicloop.artefacts import artefacts
from civicloop.catalog import TRANSLATION
from civicloop.pages import render
from civicloop.publication import Publication

_publication: Publication | None = None
_artefacts: dict[str, bytes] = {}


def _translating(config: MkDocsConfig) -> bool:
    """Whether this is mkdocs-static-i18n's rebuild of the site in another language: the
    content, and all that is made from it, are the same as in the first build."""
    language = getattr(config.plugins.get("i18n"), "current_language", None)
    return language not in (None, LANGUAGES[0]) and _publication is not None


def on_config(config: MkDocsConfig) -> None:
    """Load and validate all content once per build; any problem stops the build, listed."""
    global _publication
    if _translating(config):
        return
    _artefacts.clear()
    publication = Publication.open(Path(config.docs_dir), config.site_url or "/")
    if publication.catalog.problems:
        lines = "\n".join(f"content/{p}" for p in publication.catalog.problems)
        raise Abort(f"civicloop: the content has problems:\n{lines}")
    _publication = publication


def on_pre_build(config: MkDocsConfig) -> None:
    """The site has one 404 page, at its root: the default language's, with its `lang`."""
    if config.theme["language"] != LANGUAGES[0]:
        config.theme.static_templates.discard("404.html")
    else:
        config.theme.static_templates.add("404.html")


@event_priority(-200)  # after mkdocs-static-i18n, which cannot handle generated files
def on_files(files: Files, config: MkDocsConfig) -> Files:
    assert _publication is not None
    if not _artefacts:
        _artefacts.update(artefacts(_publication, config.site_name))
    for path, content in _artefacts.items():
        files.append(File.generated(config, path, content=content))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    assert _publication is not None
    src = PurePosixPath(page.file.src_uri)
    match = TRANSLATION.match(src.name)
    if match:
        src = src.with_name(match["stem"] + ".md")
    doc = _publication.catalog.docs.get(str(src))
    if doc is None or doc.kind is None:
        return markdown
    # Material reads `status` as its own page-status badge; ours is shown in the page instead.
    page.meta.pop("status", None)
    # The build's language, not the file's: an untranslated page falls back to the original.
    return render(_publication, doc, config.theme["language"], markdown)
