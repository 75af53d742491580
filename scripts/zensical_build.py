"""Build the generated site source with Zensical and report what differs from Material.

Material for MkDocs 9.x reaches end of life on 2027-05-05 and MkDocs 2.0 drops plugins; Zensical,
its successor, reads `mkdocs.yml` but runs no hook or third-party plugin (README: "A path off
Material"). What it can build is the tree `civicloop generate` writes, one folder per language.
This script:

1. runs `civicloop generate` into `<build>/source` (`en/…`, `fr/…`);
2. writes one Zensical project per language (`<build>/zensical.<lang>.yml`): Zensical
   builds one language per project, and `extra.alternate` links the languages, as Material
   documents for sites built once per language; the project's hooks and plugins other than
   search and tags are left out (Zensical would ignore them without a word);
3. runs `zensical build` on each, into `<build>/zensical-site/` (`fr/` for French);
4. builds the same tree with plain Material (mkdocs-static-i18n in folder mode, no civicloop
   plugin) into `<build>/zensical/material-site/`;
5. writes and prints a report (`<build>/zensical/report.txt`): pages only in one of the two
   sites, pages whose main text differs (the `<article>`, parsed, whitespace-normalised), files
   of the tree (calendars, feed, data) missing from a site, and Zensical's warnings.

Differences are reported, not failed: Zensical is pre-1.0. The exit status is 0 unless a step
crashes (1). Zensical is an optional extra: `make zensical`, or `pip install -e '.[zensical]'`.

    .venv/bin/python scripts/zensical_build.py                    # content/ -> build/
    .venv/bin/python scripts/zensical_build.py --content DIR --build DIR
"""

from __future__ import annotations

import argparse
import copy
import difflib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from bs4 import BeautifulSoup
from mkdocs.utils.yaml import yaml_load

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]  # this checkout's civicloop, when run as a file

from civicloop.languages import ALL, DEFAULT  # noqa: E402

# What Zensical reimplements; any other plugin of mkdocs.yml would be ignored silently.
ZENSICAL_PLUGINS = ("search", "tags")
# Keys of an i18n language entry that are not configuration overrides.
I18N_KEYS = {"locale", "default", "name", "build", "link", "fixed_link", "nav_translations"}
WARNING = re.compile(r"warn|error|exceed|abort|panic", re.IGNORECASE)
SHOWN = 20  # differing pages shown in full in the report


def env() -> dict[str, str]:
    """The environment of every step: this checkout first on the path (its plugin package too)."""
    path = [str(ROOT), str(ROOT / "site"), os.environ.get("PYTHONPATH")]
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, path)),
        "NO_MKDOCS_2_WARNING": "1",
    }


def run(what: str, command: list[str], log: Path) -> str:
    """Run one step, its output kept in `log`; a crash ends the script (exit 1)."""
    print(f"zensical_build: {what}", flush=True)
    done = subprocess.run(command, env=env(), capture_output=True, text=True, cwd=ROOT)
    output = done.stdout + done.stderr
    log.write_text(output, encoding="utf-8")
    if done.returncode:
        print(output[-4000:], file=sys.stderr)
        raise SystemExit(f"zensical_build: {what} failed ({done.returncode}); log: {log}")
    return output


def project_config(path: Path) -> dict[str, Any]:
    """mkdocs.yml as MkDocs reads it (`!ENV` resolved), with its paths made absolute, since the
    configurations written from it live elsewhere."""
    with path.open(encoding="utf-8") as file:
        config = yaml_load(file)
    theme = config.setdefault("theme", {})
    if "custom_dir" in theme:
        theme["custom_dir"] = str((path.parent / theme["custom_dir"]).resolve())
    config["hooks"] = [str((path.parent / hook).resolve()) for hook in config.get("hooks", [])]
    return config


def plugin_name(entry: str | dict[str, Any]) -> str:
    return entry if isinstance(entry, str) else next(iter(entry))


def i18n_languages(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """mkdocs-static-i18n's language entries, by code."""
    for entry in config.get("plugins", []):
        if plugin_name(entry) == "i18n" and isinstance(entry, dict):
            return {lang["locale"]: lang for lang in entry["i18n"].get("languages", [])}
    return {}


def material_config(project: dict[str, Any], tree: Path, site: Path) -> dict[str, Any]:
    """Plain Material on the generated tree: the project's configuration without the civicloop
    plugin (the tree is already written), mkdocs-static-i18n reading one folder per language."""
    config = copy.deepcopy(project)
    config.update(docs_dir=str(tree), site_dir=str(site))
    plugins = []
    for entry in config.get("plugins", []):
        if plugin_name(entry) == "civicloop":
            continue
        if plugin_name(entry) == "i18n":
            entry["i18n"]["docs_structure"] = "folder"
        plugins.append(entry)
    config["plugins"] = plugins
    return config


def zensical_config(project: dict[str, Any], lang: str, tree: Path, site: Path) -> dict[str, Any]:
    """One language's Zensical project: its folder of the tree, its overrides from the i18n
    entry (copyright, description, palette), and links to the other languages' sites.

    `tree` and `site` are relative to the configuration's folder, which must hold them: Zensical
    0.0.73 refuses a site_dir outside it and panics on absolute paths."""
    config = copy.deepcopy(project)
    prefix = "" if lang == DEFAULT else f"{lang}/"
    base = urlsplit(config.get("site_url") or "/").path.rstrip("/") + "/"
    docs, out = (tree / lang).as_posix(), (site / prefix).as_posix()
    config.update(docs_dir=docs, site_dir=out, strict=False)
    if config.get("site_url"):
        config["site_url"] = config["site_url"].rstrip("/") + "/" + prefix
    config.pop("hooks", None)
    config["plugins"] = [p for p in config.get("plugins", []) if plugin_name(p) in ZENSICAL_PLUGINS]
    # not_in_nav is written for the tree with its language folders (`/*/committees/*/`)
    if isinstance(config.get("not_in_nav"), str):
        config["not_in_nav"] = re.sub(r"(?m)^(\s*)/\*/", r"\1/", config["not_in_nav"])
    config["theme"]["language"] = lang
    for key, value in i18n_languages(project).get(lang, {}).items():
        if key == "theme":
            config["theme"].update(value)
        elif key not in I18N_KEYS:
            config[key] = value
    alternate = [
        {
            "name": language.native,
            "link": base + ("" if code == DEFAULT else f"{code}/"),
            "lang": code,
        }
        for language in ALL
        for code in [language.code]
    ]
    config.setdefault("extra", {})["alternate"] = alternate
    return config


def write_yaml(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- comparing


def main_text(html: str) -> str:
    """A page's main text: its `<article>` without permalink anchors, whitespace-normalised."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.find("article") or soup.body or soup
    for anchor in article.select("a.headerlink"):
        anchor.decompose()
    return " ".join(article.get_text(" ").split())


def files(folder: Path) -> Iterator[str]:
    for path in folder.rglob("*"):
        if path.is_file():
            yield path.relative_to(folder).as_posix()


def pages(site: Path) -> set[str]:
    """The site's pages, without the theme's and search's files."""
    return {
        p for p in files(site) if p.endswith(".html") and not p.startswith(("assets/", "search/"))
    }


@dataclass
class Report:
    only_material: list[str] = field(default_factory=list)
    only_zensical: list[str] = field(default_factory=list)
    differing: list[tuple[str, str]] = field(default_factory=list)  # page, first differences
    same: int = 0
    missing: dict[str, list[str]] = field(default_factory=dict)  # site -> files of the tree
    warnings: dict[str, list[str]] = field(default_factory=dict)  # language -> lines

    def text(self) -> str:
        lines = [
            "Zensical against Material on the same generated tree",
            f"pages with the same main text: {self.same}",
            f"pages whose main text differs: {len(self.differing)}",
            f"pages only in Material: {len(self.only_material)}",
            f"pages only in Zensical: {len(self.only_zensical)}",
        ]
        lines += [f"  only in Material: {p}" for p in self.only_material]
        lines += [f"  only in Zensical: {p}" for p in self.only_zensical]
        for site, missing in self.missing.items():
            lines.append(f"files of the tree missing from {site}: {len(missing)}")
            lines += [f"  {p}" for p in missing]
        for lang, warnings in self.warnings.items():
            lines.append(f"Zensical's warnings ({lang}): {len(warnings)}")
            lines += [f"  {w}" for w in warnings]
        for page, diff in self.differing[:SHOWN]:
            lines += [f"--- main text differs: {page}", diff]
        if len(self.differing) > SHOWN:
            lines.append(f"(and {len(self.differing) - SHOWN} more pages whose main text differs)")
        return "\n".join(lines) + "\n"


def difference(a: str, b: str) -> str:
    """The first few words that differ between two texts, as a word diff."""
    diff = difflib.unified_diff(a.split(), b.split(), "material", "zensical", n=3, lineterm="")
    return "\n".join(list(diff)[:24])


def tree_files(tree: Path) -> dict[str, str]:
    """Each file of the tree that is not a page, by its address in the built site (hidden
    files, such as the tree's mark, are excluded by mkdocs.yml and published by neither)."""
    out = {}
    for lang in (language.code for language in ALL):
        prefix = "" if lang == DEFAULT else f"{lang}/"
        if (tree / lang).is_dir():
            out.update({prefix + p: f"{lang}/{p}" for p in files(tree / lang) if published(p)})
    return out


def published(path: str) -> bool:
    return not path.endswith(".md") and not any(part.startswith(".") for part in path.split("/"))


def compare(material: Path, zensical: Path, tree: Path, logs: dict[str, str]) -> Report:
    report = Report()
    a, b = pages(material), pages(zensical)
    report.only_material, report.only_zensical = sorted(a - b), sorted(b - a)
    for page in sorted(a & b):
        text_a = main_text((material / page).read_text(encoding="utf-8"))
        text_b = main_text((zensical / page).read_text(encoding="utf-8"))
        if text_a == text_b:
            report.same += 1
        else:
            report.differing.append((page, difference(text_a, text_b)))
    expected = tree_files(tree)
    for name, site in (("Material", material), ("Zensical", zensical)):
        report.missing[name] = sorted(p for p in expected if not (site / p).is_file())
    for lang, output in logs.items():
        report.warnings[lang] = [
            line.strip() for line in output.splitlines() if WARNING.search(line)
        ]
    return report


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content", help="content folder")
    parser.add_argument("--build", type=Path, default=ROOT / "build", help="where to write")
    parser.add_argument("--config", type=Path, default=ROOT / "mkdocs.yml", help="the project's")
    args = parser.parse_args(argv)
    zensical_bin = shutil.which(
        "zensical", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    )
    if zensical_bin is None:
        raise SystemExit("zensical_build: zensical is not installed; run `make zensical`")
    build = args.build.resolve()
    tree, work, zsite = build / "source", build / "zensical", build / "zensical-site"
    material = work / "material-site"
    for folder in (zsite, material):
        shutil.rmtree(folder, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    project = project_config(args.config.resolve())
    site_url = project.get("site_url") or "http://127.0.0.1:8000/"

    cli = [sys.executable, "-m", "civicloop.cli", "--content", str(args.content.resolve())]
    cli += ["generate", "--out", str(tree), "--site-url", site_url]
    cli += ["--site-name", project.get("site_name", "civicloop")]
    organisation = (project.get("extra") or {}).get("organisation") or {}
    if organisation.get("contact"):
        cli += ["--contact", str(organisation["contact"])]
    run("civicloop generate", cli, work / "generate.log")

    logs = {}
    for language in ALL:  # the default language first: its site folder holds the others'
        lang = language.code
        # Zensical wants docs_dir and site_dir inside the folder of its configuration
        config = zensical_config(project, lang, tree.relative_to(build), zsite.relative_to(build))
        config = write_yaml(build / f"zensical.{lang}.yml", config)
        logs[lang] = run(
            f"zensical build ({language.english})",
            [zensical_bin, "build", "-f", str(config)],
            work / f"zensical.{lang}.log",
        )
    config = write_yaml(work / "mkdocs.material.yml", material_config(project, tree, material))
    run(
        "mkdocs build (Material)",
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)],
        work / "material.log",
    )

    report = compare(material, zsite, tree, logs).text()
    (work / "report.txt").write_text(report, encoding="utf-8")
    print(report, end="")
    print(f"zensical_build: report written to {work / 'report.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
