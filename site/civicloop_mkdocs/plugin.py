"""The MkDocs plugin: civicloop's site source generated into a tree at the start of a build,
which MkDocs (and mkdocs-static-i18n, in folder mode) then builds like any Markdown.

What each page, calendar, feed and data file says is decided in `civicloop/`; the plugin only
runs the step, with a second process (calendars, feed and data) beside the one writing the
pages, points MkDocs at the tree, hands it the calendars, feed and data as files to copy, and
writes each page's sitemap into the site once MkDocs has built it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from civicloop import pages
from civicloop.generate import (
    NotATree,
    claim,
    clashes,
    prune,
    sitemap_files,
    write_artefacts,
    write_languages,
    write_tree,
)
from civicloop.languages import CODES, DEFAULT
from civicloop.organisation import Contact, colour, contact, footer
from civicloop.problems import Problem
from civicloop.sitecontext import SiteContext
from civicloop_mkdocs.config import CivicloopConfig
from civicloop_mkdocs.jobs import Job

if TYPE_CHECKING:  # only `mkdocs serve` loads its server (and a web server with it)
    from mkdocs.livereload import LiveReloadServer


class CivicloopPlugin(BasePlugin[CivicloopConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.content: Path | None = None  # the editors' folder
        self.tree: Path | None = None  # what MkDocs builds: civicloop/generate.py's tree
        self.artefacts: Path | None = None  # its calendars, feeds and data, kept apart
        self.copied: list[str] = []  # their paths there, as in the tree (`en/…`, `fr/feed.xml`)
        self.site: SiteContext | None = None  # the content read by this build

    @event_priority(100)  # before mkdocs-static-i18n (-100), which reads docs_dir
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Read and validate all content, then write the tree: any problem stops the build,
        listed. mkdocs-static-i18n builds each other language again with this config: the tree
        is made once, for all of them."""
        if not self.config.enabled:
            return None
        i18n = config.plugins.get("i18n")
        if self.site is None or not getattr(i18n, "building", False):
            root = Path(config.config_file_path or ".").parent
            self.content = (root / self.config.content).resolve()
            self.tree = (root / self.config.source).resolve()
            self.artefacts = (root / self.config.artefacts).resolve()
            self.site = self.generate(config, config.site_url or "/", config.site_name)
        config.docs_dir = str(self.tree)
        return config

    def generate(self, config: MkDocsConfig, site_url: str, site_name: str) -> SiteContext:
        assert self.content is not None and self.tree is not None and self.artefacts is not None
        gc.unfreeze()  # `mkdocs serve`: what the previous build froze is collected now
        gc.collect()
        try:
            site = SiteContext.open(self.content, site_url, contact=organisation(config))
        except ValueError as error:  # a setting that is not valid: its message says which
            raise Abort(f"civicloop: {error}") from None
        if site.catalog.problems:
            raise self.refused(site.catalog.problems)
        tree, artefacts = self.tree, self.artefacts
        if tree.is_relative_to(artefacts) or artefacts.is_relative_to(tree):
            raise Abort("civicloop: the plugin's 'source' and 'artefacts' must not hold each other")
        try:
            fresh = claim(tree, self.content)
            fresh_artefacts = claim(artefacts, self.content)
        except NotATree as error:
            raise Abort(
                f"civicloop: the plugin's 'source' or 'artefacts' setting: {error}"
            ) from None
        pages.prepare()  # before forking: the second process finds Babel's calendar data read
        # The content lives until the build ends. Frozen, it is left out of the collections this
        # process runs while writing the pages and those of MkDocs' build (a full one walks every
        # object otherwise), and the second process's collections do not touch it either, so
        # the memory it shares with this one is not copied (what `gc.freeze` is documented for)
        gc.freeze()
        # every language's pages here, where the caches the languages share (dates, links,
        # descriptions) are warm; the calendars, feed and data meanwhile in a second process
        what = "making the calendars, feed and open data"
        with Job(what, write_artefacts, site, site_name, artefacts) as files:
            written = write_languages(site, tree, CODES, sitemaps=False)
            copied = files.result()
        problems = clashes(site, copied.made)
        if problems:
            raise self.refused(problems)
        if not fresh:
            prune(tree, written.made)
        if not fresh_artefacts:
            prune(artefacts, copied.made)
        self.copied = copied.made
        gc.freeze()  # and the pages' caches made since
        return site

    def refused(self, problems: Iterable[Problem]) -> Abort:
        """The build stopped, with each problem where the editors find it."""
        lines = "\n".join(f"{self.config.content}/{p}" for p in problems)
        return Abort(f"civicloop: the content has problems:\n{lines}")

    @event_priority(-110)  # after mkdocs-static-i18n (-100), which would handle each of them
    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        """The calendars, feeds and data of this language's site, as files MkDocs copies (links
        to them are checked as any). Kept out of the tree: there, mkdocs-static-i18n would make
        a File of each in every language's build, and MkDocs copy the default language's again
        in each (bench/README.md). The default language's site is built first, so the other
        languages' builds find them in place (MkDocs leaves a file whose source is where it
        goes)."""
        if self.artefacts is None:
            return files
        lang = config.theme["language"]
        source, site, urls = str(self.artefacts), config.site_dir, config.use_directory_urls
        for path in self.copied:
            folder, _, rest = path.partition("/")
            if folder in (lang, DEFAULT):
                target = rest if folder == DEFAULT else path
                file = File(
                    path, source, site, urls, dest_uri=target, inclusion=InclusionLevel.INCLUDED
                )
                if folder != lang:  # copied by the default language's build
                    file.abs_src_path = file.abs_dest_path
                files.append(file)
        return files

    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment:
        """The footer's links in the language being built (`partials/footer.html`)."""
        if self.site is not None:
            lang = config.theme["language"]
            env.globals["civicloop_footer"] = footer(self.site.catalog, lang, self.site.contact)
        return env

    def on_pre_build(self, config: MkDocsConfig) -> None:
        """The site has one 404 page, at its root: the default language's, with its `lang`."""
        if config.theme["language"] != DEFAULT:
            config.theme.static_templates.discard("404.html")
        else:
            config.theme.static_templates.add("404.html")

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Each page's `sitemap.xml` in the language just built, written straight into the site:
        as files of the tree, MkDocs and mkdocs-static-i18n would make and copy each one in
        every language's build (bench/README.md). The tree `civicloop generate` writes for
        other generators holds them."""
        if self.site is None:
            return
        lang = config.theme["language"]
        sitemaps = sitemap_files(self.site, lang)
        write_tree(Path(config.site_dir), ((p.removeprefix(f"{DEFAULT}/"), d) for p, d in sitemaps))

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig, builder) -> LiveReloadServer:
        """`mkdocs serve` watches docs_dir, the tree each build rewrites: it watches the editors'
        folder instead (an edit there makes one rebuild, and only changed files are rewritten)."""
        assert self.content is not None
        server.unwatch(config.docs_dir)
        server.watch(str(self.content))
        return server


def organisation(config: MkDocsConfig) -> Contact | None:
    """The organisation's contact address, and its colour checked (mkdocs.yml's
    `extra.organisation`, from CIVICLOOP_CONTACT and CIVICLOOP_ORG_COLOUR): a ValueError
    names the setting and the fix."""
    known = config.extra.get("organisation") or {}
    checked: dict[str, object] = {}
    for key, setting, check in (
        ("colour", "CIVICLOOP_ORG_COLOUR", colour),
        ("contact", "CIVICLOOP_CONTACT", contact),
    ):
        if known.get(key):
            try:
                checked[key] = check(str(known[key]))
            except ValueError as error:
                raise ValueError(f"{setting} (extra.organisation.{key}): {error}") from None
    found = checked.get("contact")
    return found if isinstance(found, Contact) else None
