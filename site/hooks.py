"""MkDocs hooks: hand civicloop's pages, calendars, feed and open data to the build.

What each artefact says is decided in `civicloop/`; these hooks only connect it to MkDocs events.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from civicloop import LANGUAGES
from civicloop.artefacts import artefact_paths, write_artefacts
from civicloop.background import run
from civicloop.catalog import TRANSLATION, Entry
from civicloop.generate import front_matter, render_ahead
from civicloop.pages import page_title, render
from civicloop.sitecontext import SiteContext


class Job:
    """A function run by a second process while MkDocs renders pages: machines have a second
    core. Forked, the process starts at once and shares the loaded content; beside other threads
    (`mkdocs serve`), where forking is unsafe, it is spawned and gets a copy."""

    def __init__(self, what: str, function: Callable[..., Any], *args: Any) -> None:
        self.what = what
        method = "fork" if threading.active_count() == 1 else "spawn"
        context = multiprocessing.get_context(method)
        self.receiver, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=run, args=(sender, function, *args), daemon=True)
        self.process.start()
        sender.close()
        self.received = False
        self.value: Any = None

    def result(self) -> Any:
        """What the function returned (waiting for it); the build stops if it failed."""
        if not self.received:
            try:
                self.value = self.receiver.recv()
            except EOFError:
                raise Abort(f"civicloop: {self.what} failed (see above)") from None
            finally:
                self.process.join()
            self.received = True
        return self.value

    def close(self) -> None:
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
        self.process.close()
        self.receiver.close()


_site: SiteContext | None = None
_jobs: dict[str, Job] = {}  # "artefacts", "languages": this build's second processes


def _translating(config: MkDocsConfig) -> bool:
    """Whether this is mkdocs-static-i18n's rebuild of the site in another language: the
    content, and all that is made from it, are the same as in the first build."""
    language = getattr(config.plugins.get("i18n"), "current_language", None)
    return language not in (None, LANGUAGES[0]) and _site is not None


def on_config(config: MkDocsConfig) -> None:
    """Load and validate all content once per build; any problem stops the build, listed.
    The pages in the other languages are made ahead, by a second process."""
    global _site
    if _translating(config):
        return
    on_shutdown()  # `mkdocs serve` builds again and again in one process
    try:
        site = SiteContext.open(Path(config.docs_dir), config.site_url or "/")
    except ValueError as error:  # a setting that is not valid: its message says which
        raise Abort(f"civicloop: {error}") from None
    if site.catalog.problems:
        lines = "\n".join(f"content/{p}" for p in site.catalog.problems)
        raise Abort(f"civicloop: the content has problems:\n{lines}")
    _site = site
    _jobs["languages"] = Job(
        "making the pages in other languages", render_ahead, site, LANGUAGES[1:]
    )


def on_shutdown() -> None:
    while _jobs:
        _jobs.popitem()[1].close()


def on_pre_build(config: MkDocsConfig) -> None:
    """The site has one 404 page, at its root: the default language's, with its `lang`."""
    if config.theme["language"] != LANGUAGES[0]:
        config.theme.static_templates.discard("404.html")
    else:
        config.theme.static_templates.add("404.html")


@event_priority(-200)  # after mkdocs-static-i18n, which cannot handle generated files
def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Calendars, feed and open data are written straight into the site folder, which has just
    been emptied, by a second process; MkDocs knows them (links to them are checked) and leaves
    them where they are."""
    assert _site is not None
    site_dir = Path(config.site_dir)
    if "artefacts" not in _jobs:  # once per build, not again for each language
        _jobs["artefacts"] = Job(
            "making the calendars, feed and open data",
            write_artefacts,
            _site,
            config.site_name,
            site_dir,
        )
    for path in artefact_paths(_site):
        files.append(File.generated(config, path, abs_src_path=str(site_dir / path)))
    return files


def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    """MkDocs copies files right after this event: the artefacts must be complete."""
    _jobs["artefacts"].result()
    return env


def _documents(page: Page) -> tuple[Entry, Entry] | None:
    """The document this page shows and the one its file holds (a translation's, or the same),
    or None for a page civicloop does not make."""
    assert _site is not None
    src = PurePosixPath(page.file.src_uri)
    match = TRANSLATION.match(src.name)
    original = src.with_name(match["stem"] + ".md") if match else src
    shown = _site.catalog.docs.get(str(original))
    if shown is None or shown.kind is None:
        return None
    own = shown.translations.get(match["lang"]) if match else shown
    return (shown, own) if own is not None else None


def on_page_read_source(page: Page, config: MkDocsConfig) -> str | None:
    """The file as read at load time, with only the front matter MkDocs and Material use.
    Leaving our `status` out also keeps Material from taking it for its page-status badge."""
    found = _documents(page)
    if found is None:
        return None
    shown, own = found
    return front_matter(shown, own) + own.body


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """A generated page's Markdown, around its body as the catalog read it. In the build's
    language, not the file's: an untranslated page falls back to the original."""
    found = _documents(page)
    if found is None:
        if isinstance(page.meta.get("title"), str):  # a plain page's title is text too
            page.meta["title"] = page_title(page.meta["title"])
        return markdown
    shown, own = found
    lang = config.theme["language"]
    if lang != LANGUAGES[0]:
        return _jobs["languages"].result()[lang][own.path]
    return render(_site, shown, lang, own.body)
