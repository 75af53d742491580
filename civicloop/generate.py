"""Generation as a step of its own: the whole site source written into a tree, one folder per
language, that any generator reading Markdown can build (Material, through the civicloop plugin
or on its own, and Zensical).

    <out>/en/…   every page of the site in the default language, the editors' other files
                 (images), and the calendars, feed, open data and schemas
    <out>/fr/…   every page of the site in French: the translation, or the original shown with
                 French labels (marked `content_lang: en`)

Only files whose bytes changed are written, so an unchanged file keeps its mtime and a preview
watching the tree sees only real edits; files no longer made are removed by `prune`, once every
writer of the tree has finished (two processes write it during a build).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter

from civicloop import sharing
from civicloop.artefacts import artefacts
from civicloop.catalog import Entry
from civicloop.languages import CODES, DEFAULT
from civicloop.loading import IGNORED, read_text
from civicloop.pages import page_title, render
from civicloop.plaintext import heading
from civicloop.problems import Problem
from civicloop.sitecontext import SiteContext
from civicloop.yamlsubset import parse

MARKER = ".civicloop-tree"  # in a tree's root: the folder is ours to rewrite and prune


class NotATree(ValueError):
    """A folder that generation would overwrite and prune, and that is not a tree of ours."""


class Clashes(ValueError):
    """Editors' files at addresses the site makes itself (`clashes`)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def claim(folder: Path, content: Path) -> bool:
    """Make sure `folder` may be (re)written: a new or empty folder, or a tree generated before,
    and apart from the content (files not made are deleted there). True when it holds nothing
    yet (a fresh checkout's build): then there is nothing to `prune` after writing it."""
    out, source = folder.resolve(), content.resolve()
    if out.is_relative_to(source) or source.is_relative_to(out):
        raise NotATree(f"{folder} and the content folder {content} must not hold each other")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).is_file():
        raise NotATree(
            f"{folder} holds files and was not written by civicloop generate: their files would"
            " be deleted; give an empty or new folder"
        )
    if (folder / MARKER).is_file():
        return False
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("Written by civicloop generate: edit content/ instead.\n")
    return True


@dataclass
class Written:
    """What a writer of the tree made (every path, relative to the tree) and which of those it
    had to write (the others had the same bytes already)."""

    made: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def __add__(self, other: Written) -> Written:
        return Written(self.made + other.made, self.changed + other.changed)


def front_matter(
    doc: Entry, own: Entry, content_lang: str | None = None, shared: dict | None = None
) -> str:
    """The only front matter MkDocs and Material need of a generated page (`own` is the file's
    document: a translation's, or `doc` itself): `type` tells the theme it is generated;
    `content_lang`, the language its text is written in when that is not the page's (an
    untranslated page in another language's site). JSON values are valid YAML.

    The title is HTML, as MkDocs makes it from a page's first heading: Material prints it as it
    is in the page's `<title>`, heading, navigation, search index and tag listings.

    `shared` is what the page's `<head>` tells search engines and link previews
    (`civicloop.sharing.front`)."""
    meta = {"type": doc.kind, "title": page_title(own.model.title)}
    meta["tags"] = getattr(own.model, "tags", [])
    meta["content_lang"] = content_lang
    meta.update(shared or {})
    return _front_matter(meta)


def _front_matter(meta: dict[str, object]) -> str:
    lines = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in meta.items() if v)
    return f"---\n{lines}---\n"


def plain_page(site: SiteContext, doc: Entry, own: Entry, lang: str) -> str:
    """An editor's page without a type (`own`: in `lang`, or the original), as written, its
    title made HTML like a generated page's (MkDocs would take it for HTML as it is), its
    language marked where needed, and what its `<head>` shares (its own `description` if it
    has one)."""
    content_lang = DEFAULT if lang != DEFAULT and own is doc else None
    text = read_text(site.catalog.root / own.path)
    handler = frontmatter.YAMLHandler()
    meta: dict[str, object] = {}
    if handler.detect(text):
        head, _ = handler.split(text)
        meta = parse(head)[1] or {}  # read before, by the catalog: valid
    title = meta.get("title")
    title = title if isinstance(title, str) else heading(own.body)
    for key, value in sharing.front(site, doc, lang, title).items():
        meta.setdefault(key, value)
    if isinstance(meta.get("title"), str):
        meta["title"] = page_title(meta["title"])
    meta["content_lang"] = content_lang
    return _front_matter(meta) + own.body


def page_files(site: SiteContext, lang: str) -> Iterator[tuple[str, bytes]]:
    """Every page of `lang`'s site, by its path in the tree: generated pages (front matter and
    rendered Markdown) and the editors' plain pages, the original where there is no
    translation. Their sitemaps are `sitemap_files`."""
    for doc in site.catalog.docs.values():
        own = doc.translations.get(lang, doc) if lang != DEFAULT else doc
        content_lang = DEFAULT if lang != DEFAULT and own is doc else None
        if doc.kind is None:
            text = plain_page(site, doc, own, lang)
        else:
            shared = sharing.front(site, doc, lang, own.model.title)
            text = front_matter(doc, own, content_lang, shared)
            text += render(site, doc, lang, own.body)
        yield f"{lang}/{doc.path}", text.encode()


def sitemap_files(site: SiteContext, lang: str) -> Iterator[tuple[str, bytes]]:
    """A `sitemap.xml` beside each page of `lang`'s site, by its path in the tree: Material's
    language menu fetches one from each of the page's addresses in other languages."""
    for doc, path in _sitemaps(site, lang):
        yield path, sharing.page_sitemap(site, doc, lang)


def _sitemaps(site: SiteContext, lang: str) -> Iterator[tuple[Entry, str]]:
    for doc in site.catalog.docs.values():
        if doc.url or lang != DEFAULT:  # the site's root has MkDocs' sitemap of all pages
            yield doc, f"{lang}/{doc.url}sitemap.xml"


def other_files(site: SiteContext) -> Iterator[tuple[str, bytes]]:
    """The content's files that are not pages (images, a draw's records), in the default
    language's folder: MkDocs serves them at the same address in every language."""
    root = site.catalog.root
    for rel in _editors_files(root):
        yield f"{DEFAULT}/{rel}", (root / rel).read_bytes()


def _editors_files(root: Path) -> Iterator[str]:
    """The paths, in `root`, of its files that are not pages."""
    for folder, dirs, names in os.walk(root):
        rel_folder = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel_folder == "." else f"{rel_folder}/"
        dirs[:] = sorted(d for d in dirs if not IGNORED.search(prefix + d))
        for name in sorted(names):
            rel = prefix + name
            if not name.endswith(".md") and not IGNORED.search(rel):
                yield rel


def clashes(site: SiteContext, artefacts: Iterable[str]) -> list[Problem]:
    """The editors' files (see `other_files`) at a path of the tree that the site makes itself,
    one of `artefacts` or a page's sitemap: each would silently replace the other."""
    made = {*artefacts, *(path for lang in CODES for _, path in _sitemaps(site, lang))}
    return [
        Problem(
            rel,
            1,
            "the site makes a file at this address itself (a calendar, feed, sitemap or open"
            " data file); rename or move this one",
        )
        for rel in _editors_files(site.catalog.root)
        if f"{DEFAULT}/{rel}" in made
    ]


def artefact_files(site: SiteContext, site_name: str) -> Iterator[tuple[str, bytes]]:
    """Calendars, feeds, open data and schemas, in the default language's folder but those of
    another language (its feed), which are in that language's."""
    others = tuple(f"{lang}/" for lang in CODES if lang != DEFAULT)
    for path, data in artefacts(site, site_name).items():
        yield (path if path.startswith(others) else f"{DEFAULT}/{path}"), data


def write_tree(folder: Path, files: Iterable[tuple[str, bytes]]) -> Written:
    """Write each file under `folder` unless it holds these bytes already (it then keeps its
    mtime). A file replaced is swapped in whole (a reader never sees half of it). Each folder
    is listed once, so that a new tree costs one open per file, not a failed read first."""
    written = Written()
    listed: dict[str, set[str]] = {}
    root = os.fspath(folder)
    for path, data in files:
        written.made.append(path)
        parent, _, name = f"{root}/{path}".rpartition("/")
        names = listed.get(parent)
        if names is None:
            try:
                names = listed[parent] = set(os.listdir(parent))
            except FileNotFoundError:
                os.makedirs(parent, exist_ok=True)
                names = listed[parent] = set()
        target = f"{parent}/{name}"
        if name in names:
            with open(target, "rb") as old:
                if old.read(len(data) + 1) == data:
                    continue
            temporary = f"{parent}/.{name}.new"
            with open(temporary, "wb") as new:
                new.write(data)
            os.replace(temporary, target)
        else:
            with open(target, "wb") as new:
                new.write(data)
        written.changed.append(path)
    return written


def prune(folder: Path, made: Iterable[str]) -> list[str]:
    """Delete the files under `folder` that are not in `made`, and the folders left empty:
    content removed or renamed leaves nothing behind. Returns the paths removed."""
    keep = {*made, MARKER}
    removed = []
    for parent, _, names in os.walk(folder, topdown=False):
        here = Path(parent)
        rel = here.relative_to(folder).as_posix()
        prefix = "" if rel == "." else f"{rel}/"
        for name in names:
            if prefix + name not in keep:
                (here / name).unlink()
                removed.append(prefix + name)
        if here != folder and not any(here.iterdir()):
            here.rmdir()
    return sorted(removed)


def write_languages(
    site: SiteContext, folder: Path, languages: Iterable[str], sitemaps: bool = True
) -> Written:
    """The pages of each of `languages` (the default language's with the editors' other
    files), and their sitemaps unless told not to."""
    written = Written()
    for lang in languages:
        written += write_tree(folder, page_files(site, lang))
        if sitemaps:
            written += write_tree(folder, sitemap_files(site, lang))
        if lang == DEFAULT:
            written += write_tree(folder, other_files(site))
    return written


def write_artefacts(site: SiteContext, site_name: str, folder: Path) -> Written:
    return write_tree(folder, artefact_files(site, site_name))


def generate(site: SiteContext, site_name: str, folder: Path) -> tuple[Written, list[str]]:
    """The whole tree in one process: what was written, and the paths removed. `Clashes` if
    an editor's file is where the site makes one (no file of the site is written then)."""
    fresh = claim(folder, site.catalog.root)
    made = list(artefact_files(site, site_name))
    problems = clashes(site, (path for path, _ in made))
    if problems:
        raise Clashes(problems)
    written = write_languages(site, folder, CODES) + write_tree(folder, made)
    return written, [] if fresh else prune(folder, written.made)
