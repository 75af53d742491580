"""The generated site builds with Zensical too (scripts/zensical_build.py).

Zensical is pre-1.0 and an optional extra (`make zensical`): what differs from Material is
printed, not failed; the test asserts that both languages were built and the report written.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NOW, ROOT

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("zensical") is None,
    reason="zensical is not installed (an optional extra: make zensical)",
)


@pytest.mark.timeout(900)
def test_the_sample_content_builds_with_zensical(tmp_path: Path) -> None:
    script = [sys.executable, str(ROOT / "scripts/zensical_build.py"), "--build", str(tmp_path)]
    env = {**os.environ, "CIVICLOOP_NOW": NOW}
    done = subprocess.run(script, env=env, cwd=ROOT, capture_output=True, text=True)
    print(done.stdout, done.stderr)  # the report: what differs from Material
    assert done.returncode == 0, done.stderr[-3000:]
    site = tmp_path / "zensical-site"
    assert '<html lang="en"' in (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in (site / "fr/index.html").read_text(encoding="utf-8")
    assert (site / "committees/sample-neighbourhood-committee/index.html").is_file()
    report = (tmp_path / "zensical/report.txt").read_text(encoding="utf-8")
    assert report.startswith("Zensical against Material on the same generated tree\n")
    assert "pages with the same main text: " in report
