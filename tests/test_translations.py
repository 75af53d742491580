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
