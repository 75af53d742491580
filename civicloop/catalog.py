"""Reading `content/` into typed documents, collecting every problem instead of stopping at one."""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

import frontmatter
import yaml
from babel import localedata
from pydantic import ValidationError

from civicloop import LANGUAGES
from civicloop.checks import check_catalog
from civicloop.content import MODELS, TRANSLATABLE, Committee, Model, Page
from civicloop.problems import Problem, node_line, shown_path, validation_problems
from civicloop.text import forbidden_character
from civicloop.yamlsubset import Refused, parse

TRANSLATION = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2})\.md$")
LANGUAGE_SUFFIX = re.compile(
    r"^(?P<stem>.+)\.(?P<lang>[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?)\.md$"
)
# Where each type lives; a file there must be of that type.
PLACES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^committees/[^/]+/index\.md$"), "committee"),
    (re.compile(r"^committees/[^/]+/sessions/[^/]+\.md$"), "session"),
    (re.compile(r"^committees/[^/]+/results/[^/]+\.md$"), "results"),
    (re.compile(r"^committees/[^/]+/draw\.md$"), "draw"),
    (re.compile(r"^case-studies/(?!index\.md$)[^/]+\.md$"), "case-study"),
    (re.compile(r"^webinars/(?!index\.md$)[^/]+\.md$"), "webinar"),
]
WHERE = {
    "committee": "committees/<slug>/index.md",
    "session": "committees/<slug>/sessions/<file>.md",
    "results": "committees/<slug>/results/<poll-id>.md",
    "draw": "committees/<slug>/draw.md",
    "case-study": "case-studies/<slug>.md",
    "webinar": "webinars/<slug>.md",
}
# MkDocs reads a page's first lines as settings when they look like `key: value` and no
# front matter comes first (MultiMarkdown's style), and they vanish from the page.
MULTIMARKDOWN_META = re.compile(r"^ {0,3}[A-Za-z0-9_-]+:")
MULTIMARKDOWN_PROBLEM = (
    "the first line looks like 'key: value', which MkDocs takes for page settings; "
    "start with front matter between '---' lines, or with other text"
)
IGNORED = re.compile(r"(^|/)(\.|_)")  # dot-folders, and `_`-prefixed build scratch


@dataclass
class Doc:
    """One content file: its typed front matter, its body and its translations."""

    path: str  # relative to the content folder, with '/'
    kind: str | None
    model: Any  # a content Model, or None for a plain page
    body: str
    body_line: int
    translations: dict[str, Doc] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        p = PurePosixPath(self.path)
        return p.parent.name if p.name == "index.md" else p.stem

    @property
    def url(self) -> str:
        return page_url(self.path)

    @property
    def committee(self) -> str:
        return self.path.split("/")[1]  # asked on every page for many documents: no PurePath

    @property
    def id(self) -> str:
        """Stable identifier: `<committee>/<session>` for sessions, the slug otherwise."""
        return f"{self.committee}/{self.slug}" if self.kind == "session" else self.slug

    def localized(self, lang: str) -> Any:
        """The model with the fields a translation gives for `lang` put in."""
        other = self.translations.get(lang)
        return other.model if other else self.model


@dataclass
class Catalog:
    """All documents, with indexes built on first use: the content does not change once read,
    and every page of a large site asks these questions."""

    root: Path
    docs: dict[str, Doc]  # by path
    problems: list[Problem]

    @cached_property
    def _kinds(self) -> dict[str | None, list[Doc]]:
        kinds: dict[str | None, list[Doc]] = {}
        for doc in self.docs.values():
            kinds.setdefault(doc.kind, []).append(doc)
        return kinds

    def of(self, kind: str) -> list[Doc]:
        return self._kinds.get(kind, [])

    @cached_property
    def committees(self) -> dict[str, Doc]:
        return {d.slug: d for d in self.of("committee")}

    @cached_property
    def sessions(self) -> list[Doc]:
        return sorted(self.of("session"), key=lambda d: (d.model.starts, d.path))

    @cached_property
    def _sessions_by_committee(self) -> dict[str, list[Doc]]:
        grouped: dict[str, list[Doc]] = {}
        for doc in self.sessions:
            grouped.setdefault(doc.committee, []).append(doc)
        return grouped

    def sessions_of(self, committee: str) -> list[Doc]:
        return self._sessions_by_committee.get(committee, [])

    @cached_property
    def listed(self) -> dict[str, list[Doc]]:
        """What listing pages show, in their order: sorted once, not for each of many pages."""
        return {
            "results": sorted(self.of("results"), key=lambda d: d.model.closed, reverse=True),
            "committees": sorted(self.committees.values(), key=lambda d: d.model.title),
            "webinars": sorted(self.of("webinar"), key=lambda d: d.model.date, reverse=True),
            "studies": sorted(self.of("case-study"), key=lambda d: d.model.title),
        }

    def committee_of(self, session: Doc) -> Committee:
        return self.docs[f"committees/{session.committee}/index.md"].model

    @cached_property
    def _results(self) -> dict[str, Doc]:
        return {d.model.poll: d for d in self.of("results")}

    def results_of(self, poll_id: str) -> Doc | None:
        return self._results.get(poll_id)

    def by_slug(self, kind: str) -> dict[str, Doc]:
        return {d.slug: d for d in self.of(kind)}


def page_url(path: str) -> str:
    """The URL, relative to the site root, that MkDocs gives the page at `path`."""
    p = PurePosixPath(path)
    if p.name == "index.md":
        return "" if str(p.parent) == "." else f"{p.parent}/"
    return f"{p.parent / p.stem}/".removeprefix("./")


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
    docs: dict[str, Doc] = {}
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
    catalog = Catalog(root, docs, problems)
    problems.extend(check_catalog(catalog))
    problems.sort()
    return catalog


def read_text(path: Path) -> str:
    """A content file's text: UTF-8, a byte-order mark dropped, line ends made '\\n'."""
    return path.read_text(encoding="utf-8-sig")


def _read(root: Path, rel: str, problems: list[Problem], base: Doc | None = None) -> Doc | None:
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
    expected = next((kind for pattern, kind in PLACES if pattern.match(rel)), None)
    if base is not None:
        expected = base.kind
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
        return Doc(rel, None, None, body, body_line)
    if not isinstance(kind, str) or kind not in MODELS:
        message = f"unknown type {kind!r}; valid types: {', '.join(MODELS)}"
        problems.append(Problem(rel, node_line(root_node, ("type",), first_line), message))
        return None
    if "type" not in meta and base is None:
        problems.append(Problem(rel, first_line, f"missing required field 'type' ({kind!r})"))
        return None
    if expected is not None and kind != expected:
        place = f"a {kind} belongs in {WHERE[kind]}" if kind in WHERE else f"not a {kind}"
        message = f"{place}; this file's place ({WHERE[expected]}) is for a {expected}"
        problems.append(Problem(rel, first_line, message))
        return None
    if kind in WHERE and expected is None:
        problems.append(Problem(rel, first_line, f"a {kind} belongs in {WHERE[kind]}"))
        return None
    if base is not None:
        extra = set(meta) - TRANSLATABLE[kind] - {"type"}
        if extra:
            fields = ", ".join(sorted(TRANSLATABLE[kind]))
            for name in sorted(extra):
                line = node_line(root_node, (name,), first_line)
                message = f"'{name}' is not translated; a translation may set: {fields}"
                problems.append(Problem(rel, line, message))
            return None
        meta = {**base.model.model_dump(mode="json", exclude_unset=True), **meta}
    model_class = MODELS[kind]
    try:
        model: Model = model_class.model_validate(meta)
    except ValidationError as error:
        problems.extend(validation_problems(rel, error, root_node, first_line, model_class))
        return None
    return Doc(rel, kind, model, body, body_line)
