"""MkDocs hooks: hand civicloop's pages, calendars, feed and open data to the build.

What each artefact says is decided in `civicloop/`; these hooks only connect it to MkDocs events.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
from pathlib import Path, PurePosixPath
from tempfile import TemporaryDirectory

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from civicloop import LANGUAGES
from civicloop.artefacts import artefact_paths, write_artefacts
from civicloop.catalog import TRANSLATION, Doc
from civicloop.pages import render
from civicloop.publication import Publication


class Artefacts:
    """Calendars, feed and open data, written by a second process while MkDocs renders the
    pages: a large site's take seconds, and machines have a second core."""

    def __init__(self, publication: Publication, config: MkDocsConfig) -> None:
        self.paths = artefact_paths(publication)
        self.folder = TemporaryDirectory(prefix="civicloop-artefacts-")
        # fork starts at once but is unsafe beside other threads, as in `mkdocs serve`
        method = "fork" if threading.active_count() == 1 else "spawn"
        self.process = multiprocessing.get_context(method).Process(
            target=write_artefacts,
            args=(
                Path(config.docs_dir),
                publication.base_url,
                publication.now,
                config.site_name,
                Path(self.folder.name),
            ),
            daemon=True,
        )
        self.process.start()

    def files(self, config: MkDocsConfig) -> list[File]:
        return [
            File.generated(config, path, abs_src_path=f"{self.folder.name}/{path}")
            for path in self.paths
        ]

    def wait(self) -> None:
        """Before MkDocs copies the files: they are complete, or the build stops."""
        if self.process.exitcode is None:
            self.process.join()
        if self.process.exitcode != 0:
            raise Abort("civicloop: making the calendars, feed and open data failed (see above)")

    def close(self) -> None:
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
        self.process.close()
        self.folder.cleanup()


_publication: Publication | None = None
_artefacts: Artefacts | None = None


def _translating(config: MkDocsConfig) -> bool:
    """Whether this is mkdocs-static-i18n's rebuild of the site in another language: the
    content, and all that is made from it, are the same as in the first build."""
    language = getattr(config.plugins.get("i18n"), "current_language", None)
    return language not in (None, LANGUAGES[0]) and _publication is not None


def on_config(config: MkDocsConfig) -> None:
    """Load and validate all content once per build; any problem stops the build, listed."""
    global _publication, _artefacts
    if _translating(config):
        return
    on_shutdown()  # `mkdocs serve` builds again and again in one process
    publication = Publication.open(Path(config.docs_dir), config.site_url or "/")
    if publication.catalog.problems:
        lines = "\n".join(f"content/{p}" for p in publication.catalog.problems)
        raise Abort(f"civicloop: the content has problems:\n{lines}")
    _publication = publication
    _artefacts = Artefacts(publication, config)


def on_shutdown() -> None:
    global _artefacts
    if _artefacts is not None:
        _artefacts.close()
        _artefacts = None


def on_pre_build(config: MkDocsConfig) -> None:
    """The site has one 404 page, at its root: the default language's, with its `lang`."""
    if config.theme["language"] != LANGUAGES[0]:
        config.theme.static_templates.discard("404.html")
    else:
        config.theme.static_templates.add("404.html")


@event_priority(-200)  # after mkdocs-static-i18n, which cannot handle generated files
def on_files(files: Files, config: MkDocsConfig) -> Files:
    assert _artefacts is not None
    for file in _artefacts.files(config):
        files.append(file)
    return files


def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    """MkDocs copies files right after this event."""
    assert _artefacts is not None
    _artefacts.wait()
    return env


def _documents(page: Page) -> tuple[Doc, Doc] | None:
    """The document this page shows and the one its file holds (a translation's, or the same),
    or None for a page civicloop does not make."""
    assert _publication is not None
    src = PurePosixPath(page.file.src_uri)
    match = TRANSLATION.match(src.name)
    original = src.with_name(match["stem"] + ".md") if match else src
    shown = _publication.catalog.docs.get(str(original))
    if shown is None or shown.kind is None:
        return None
    own = shown.translations.get(match["lang"]) if match else shown
    return (shown, own) if own is not None else None


def on_page_read_source(page: Page, config: MkDocsConfig) -> str | None:
    """The file as read at load time, with only the front matter MkDocs and Material use
    (`type` tells main.html it is generated): they would parse all of it again in each language.
    Leaving our `status` out also keeps Material from taking it for its page-status badge."""
    found = _documents(page)
    if found is None:
        return None
    shown, own = found
    meta = {"type": shown.kind, "title": own.model.title, "tags": getattr(own.model, "tags", [])}
    front = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in meta.items() if v)
    return f"---\n{front}---\n{own.body}"


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    found = _documents(page)
    if found is None:
        return markdown
    # The build's language, not the file's: an untranslated page falls back to the original.
    return render(_publication, found[0], config.theme["language"], markdown)
