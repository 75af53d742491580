"""Every bot text and every site label exists in French, with the same placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from civicloop.labels import FRENCH

ROOT = Path(__file__).resolve().parent.parent
FIELD = re.compile(r"\{(\w+)\}")


def test_bot_catalog_is_complete(tmp_path):
    pot = tmp_path / "bot.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [pybabel, "extract", "-F", "babel.cfg", "-k", "t:2", "-k", "N_", "-o", pot, "bot"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with (ROOT / "bot/locales/fr/LC_MESSAGES/bot.po").open("rb") as handle:
        french = {m.id: m.string for m in read_po(handle, locale="fr") if m.id and not m.fuzzy}
    missing = sorted(i for i in wanted if not french.get(i))
    assert not missing, f"translate these in bot.po (scripts/messages.py adds them): {missing}"
    for msgid in wanted:
        assert set(FIELD.findall(msgid)) == set(FIELD.findall(french[msgid])), msgid
    assert len(wanted) > 50


def test_site_labels_used_by_templates_are_translated():
    used = set()
    for template in (ROOT / "civicloop/templates").glob("*.md"):
        used |= set(re.findall(r't\("([^"]+)"', template.read_text()))
    missing = sorted(used - set(FRENCH))
    assert not missing, missing
    for key in used:
        assert set(FIELD.findall(key)) == set(FIELD.findall(FRENCH[key])), key


def test_labels_written_when_templates_compile_say_what_the_call_says():
    """`t("…")` with nothing to fill in is replaced when a template is compiled
    (`civicloop/pages.py`): it must print what calling `t` prints, escapes included, and leave
    every other call a call."""
    from jinja2 import Environment, StrictUndefined

    from civicloop.labels import translator
    from civicloop.pages import _environment

    label = next(k for k in FRENCH if not {"{", '"'} & set(k) and k != FRENCH[k])
    call = f't("{label}")'
    shown = [
        call,
        't("unknown <label> *x*")',
        't("Postponed: first planned for {old}.", old="lundi")',
        "t(kind)",
        f"o.{call}",
        f"[{call}] | join",
    ]
    source = "|".join("{{ " + expression + " }}" for expression in shown)
    for lang in ("en", "fr"):
        t = translator(lang)
        compiled = _environment(lang)
        called = Environment(finalize=compiled.finalize, undefined=StrictUndefined)
        for kind in (label, "Session"):
            values = {"t": t, "kind": kind, "o": {"t": str.upper}}
            printed = compiled.from_string(source).render(values)
            assert printed == called.from_string(source).render(values)
            assert printed.split("|")[0] == compiled.finalize(t(label))
    # replaced, not called: the `t` a page is given is not asked
    replaced = _environment("fr").from_string("{{ " + call + " }}").render(t=str.upper)
    assert replaced == FRENCH[label]
