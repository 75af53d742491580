"""Reading `content/` into a `Catalog`, collecting every problem instead of stopping at one:
which type a file is and may be, its front matter against its type's model, its translations,
then the checks across files."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path, PurePosixPath

import frontmatter
import yaml
from babel import localedata
from pydantic import ValidationError

from civicloop import LANGUAGES
from civicloop.catalog import TRANSLATION, Catalog, Entry
from civicloop.checks import check_catalog
from civicloop.content import Page
from civicloop.problems import Problem, node_line, shown_path, validation_problems
from civicloop.text import forbidden_character
from civicloop.types import TYPES, type_at
from civicloop.yamlsubset import Refused, parse

LANGUAGE_SUFFIX = re.compile(
    r"^(?P<stem>.+)\.(?P<lang>[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?)\.md$"
)
# MkDocs reads a page's first lines as settings when they look like `key: value` and no
# front matter comes first (MultiMarkdown's style), and they vanish from the page.
MULTIMARKDOWN_META = re.compile(r"^ {0,3}[A-Za-z0-9_-]+:")
MULTIMARKDOWN_PROBLEM = (
    "the first line looks like 'key: value', which MkDocs takes for page settings; "
    "start with front matter between '---' lines, or with other text"
)
IGNORED = re.compile(r"(^|/)(\.|_)")  # dot-folders, and `_`-prefixed build scratch


def content_files(root: Path) -> tuple[list[str], list[Problem]]:
    """The Markdown files under `root`, and the problems of anything there the build could not
    take: names that are not UTF-8, links that dangle, loop or leave `content/` (never
    followed there), links to folders, folders named like pages, pipes and devices."""
    files: list[str] = []
    problems: list[Problem] = []
    real_root = root.resolve()

    def unreadable(error: OSError) -> None:
        rel = Path(error.filename).relative_to(root).as_posix()
        problems.append(Problem(shown_path(rel), 1, f"cannot be read ({error.strerror})"))

    for folder, dirs, names in os.walk(root, onerror=unreadable):
        for name in sorted(dirs + names):
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if IGNORED.search(rel):
                if name in dirs:
                    dirs.remove(name)
                continue
            problem = _entry_problem(path, rel, real_root)
            if problem:
                problems.append(Problem(shown_path(rel), 1, problem))
                if name in dirs:
                    dirs.remove(name)
            elif name.endswith(".md") and not path.is_dir():
                files.append(rel)
    return sorted(files), problems


def _entry_problem(path: Path, rel: str, real_root: Path) -> str | None:
    """What the build would fail on in one file or folder name, or None."""
    if rel != os.fsencode(rel).decode("utf-8", "replace"):
        return "the name is not UTF-8 text; rename it"
    bad = next((c for c in rel if not c.isprintable()), None)
    if bad:
        return f"the name contains the invisible character U+{ord(bad):04X}; rename it"
    if path.is_symlink():
        target = os.readlink(path)
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError) as error:
            # Python 3.11 and 3.12 raise RuntimeError for a loop, 3.13 OSError(ELOOP)
            loop = isinstance(error, RuntimeError) or error.errno == errno.ELOOP
            what = "loops back on itself" if loop else "points to nothing"
            return f"is a symbolic link that {what} ({target}); put the file itself here"
        if not real.is_relative_to(real_root):
            return f"is a symbolic link out of the content folder ({target}); copy it here"
        if real.is_dir():
            return f"is a symbolic link to a folder ({target}); move the folder here instead"
    try:
        mode = path.stat().st_mode
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if stat.S_ISDIR(mode):
        if rel.endswith(".md"):
            return "is a folder named like a page; remove '.md' from its name"
    elif not stat.S_ISREG(mode):
        return "is not a regular file (a pipe, socket or device); remove it"
    elif not os.access(path, os.R_OK):
        return "cannot be read (permission denied); let everyone read it"
    return None


def _language_problem(rel: str, languages: tuple[str, ...]) -> str | None:
    """A name that says a language the site does not have; the original has no suffix."""
    match = LANGUAGE_SUFFIX.match(PurePosixPath(rel).name)
    if not match or not localedata.exists(match["lang"].replace("-", "_")):
        return None
    lang, stem = match["lang"], match["stem"]
    if lang == languages[0]:
        return f"pages in {lang} (the site's first language) have no suffix: name it {stem}.md"
    if lang in languages:
        return None
    others = ", ".join(f"{stem}.{other}.md" for other in languages[1:])
    return (
        f"'{lang}' is not a language of this site (it has {', '.join(languages)}); "
        f"name the original {stem}.md and its translations {others}"
    )


def load(root: Path, languages: tuple[str, ...] = LANGUAGES) -> Catalog:
    """Read every Markdown file under `root`; problems are collected, never raised."""
    docs: dict[str, Entry] = {}
    files, problems = content_files(root)
    translations: list[tuple[str, str, str]] = []
    for rel in files:
        wrong_language = _language_problem(rel, languages)
        if wrong_language:
            problems.append(Problem(rel, 1, wrong_language))
            continue
        match = TRANSLATION.match(PurePosixPath(rel).name)
        if match and match["lang"] in languages:
            original = str(PurePosixPath(rel).with_name(match["stem"] + ".md"))
            translations.append((rel, original, match["lang"]))
            continue
        doc = _read(root, rel, problems)
        if doc is not None:
            docs[rel] = doc
    for rel, original, lang in translations:
        base = docs.get(original)
        if base is None:
            problems.append(Problem(rel, 1, f"translation of {original}, which does not exist"))
            continue
        doc = _read(root, rel, problems, base)
        if doc is not None:
            base.translations[lang] = doc
    for doc in docs.values():
        ident = TYPES[doc.kind].ident if doc.kind else None
        for each in (doc, *doc.translations.values()):
            each.id = ident(doc) if ident else doc.slug
    ordered = {name: t.sort(_of(docs, name)) for name, t in TYPES.items()}
    listed = {t.listed_as: ordered[name] for name, t in TYPES.items() if t.listed_as}
    catalog = Catalog(root, docs, problems, ordered, listed)
    problems.extend(check_catalog(catalog))
    problems.sort()
    return catalog


def _of(docs: dict[str, Entry], kind: str) -> list[Entry]:
    return [doc for doc in docs.values() if doc.kind == kind]


def read_text(path: Path) -> str:
    """A content file's text: UTF-8, a byte-order mark dropped, line ends made '\\n'."""
    return path.read_text(encoding="utf-8-sig")


def _read(root: Path, rel: str, problems: list[Problem], base: Entry | None = None) -> Entry | None:
    try:
        text = read_text(root / rel)
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        problems.append(Problem(rel, line, f"not UTF-8 text ({error.reason}); save it as UTF-8"))
        return None
    except OSError as error:
        problems.append(Problem(rel, 1, f"cannot be read ({error.strerror})"))
        return None
    if forbidden_character(text):
        problems.extend(
            Problem(rel, number, f"contains {bad}; remove it (feeds and calendars cannot carry it)")
            for number, line in enumerate(text.split("\n"), start=1)
            if (bad := forbidden_character(line))
        )
        return None
    handler = frontmatter.YAMLHandler()
    if handler.detect(text):
        try:
            head, body = handler.split(text)
        except ValueError:
            problems.append(Problem(rel, 1, "front matter opened by '---' is never closed"))
            return None
        body_line = text[: len(text) - len(body)].count("\n") + 1
    else:
        head, body, body_line = "", text, 1
    first_line = text[: text.find(head)].count("\n") + 1  # YAML line 0 is on this file line
    try:
        root_node, meta = parse(head)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first_line + mark.line if mark else first_line
        problem = getattr(error, "problem", None) or str(error)
        if not isinstance(error, Refused):
            problem = f"front matter is not valid YAML: {problem}"
        problems.append(Problem(rel, line, problem))
        return None
    if not isinstance(meta, dict):
        problems.append(Problem(rel, first_line, "front matter must be 'key: value' lines"))
        return None
    place = type_at(rel)
    expected = base.kind if base is not None else place.name if place else None
    kind = meta.get("type", expected)
    if base is not None and kind != base.kind:
        line = node_line(root_node, ("type",), first_line)
        original = f"'{base.kind}'" if base.kind else "none"
        message = f"a translation has the type of {base.path} ({original}); remove 'type'"
        problems.append(Problem(rel, line, message))
        return None
    if kind is None:
        try:
            Page.model_validate(meta)
        except ValidationError as error:
            problems.extend(validation_problems(rel, error, root_node, first_line, Page))
            return None
        if not head and MULTIMARKDOWN_META.match(text):
            problems.append(Problem(rel, 1, MULTIMARKDOWN_PROBLEM))
            return None
        return Entry(rel, None, None, body, body_line)
    if not isinstance(kind, str) or kind not in TYPES:
        message = f"unknown type {kind!r}; valid types: {', '.join(TYPES)}"
        problems.append(Problem(rel, node_line(root_node, ("type",), first_line), message))
        return None
    if "type" not in meta and base is None:
        problems.append(Problem(rel, first_line, f"missing required field 'type' ({kind!r})"))
        return None
    content_type = TYPES[kind]
    belongs = content_type.place
    if expected is not None and kind != expected:
        where = f"a {kind} belongs in {belongs.where}" if belongs else f"not a {kind}"
        here = TYPES[expected].place
        message = f"{where}; this file's place ({here.where if here else rel}) is for a {expected}"
        problems.append(Problem(rel, first_line, message))
        return None
    if belongs and expected is None:
        problems.append(Problem(rel, first_line, f"a {kind} belongs in {belongs.where}"))
        return None
    if base is not None:
        extra = set(meta) - content_type.translatable - {"type"}
        if extra:
            fields = ", ".join(sorted(content_type.translatable))
            for name in sorted(extra):
                line = node_line(root_node, (name,), first_line)
                message = f"'{name}' is not translated; a translation may set: {fields}"
                problems.append(Problem(rel, line, message))
            return None
        meta = {**base.model.model_dump(mode="json", exclude_unset=True), **meta}
    try:
        model = content_type.model.model_validate(meta)
    except ValidationError as error:
        problems.extend(validation_problems(rel, error, root_node, first_line, content_type.model))
        return None
    return Entry(rel, kind, model, body, body_line)
