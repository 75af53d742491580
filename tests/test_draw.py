"""`civicloop draw` on synthetic pools made here (invented people, never real ones): quotas met,
reproducible in separate processes, verifiable, tamper-evident, private."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest
import yaml
from conftest import COMMITTEE, ROOT, write

from civicloop.cli import main
from civicloop.draw import digest
from civicloop.loading import load
from civicloop.lottery import HIGHS, HOUSEHOLD, LotteryError, LotteryRequest, run
from civicloop.pool import ensure_private, pseudonym, read_pool
from civicloop.selection import DrawError, PublishedDraw, canonical, seated, verify

_spec = importlib.util.spec_from_file_location("synthetic_pool", ROOT / "scripts/synthetic_pool.py")
synthetic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synthetic)

KEY = "test-key-" + "0123456789abcdef" * 3
SEATS, SPARE = 10, 10
CRITERIA = 3  # gender, age, district
PUBLIC_RANDOM = "4 17 23 31 40 / 7"


def draw_text(quotas: dict, seats: int = SEATS, spare: int = SPARE, **extra) -> str:
    meta = {
        "type": "draw",
        "title": "How the citizens were drawn",
        "date": "2026-09-01",
        "seats": seats,
        "substitutes": spare,
        "tickets": 200,
        "random": "dice rolled at the public meeting",
        "pool": {"id": "ref", "household": ["street", "postcode"]},
        "criteria": [
            {
                "name": name,
                "column": name,
                "categories": [{"value": v, "min": lo, "max": hi} for v, (lo, hi) in cats.items()],
            }
            for name, cats in quotas.items()
        ],
        **extra,
    }
    return "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\nHow we draw.\n"


def committee_for(draw: str) -> str:
    """The test committee, with as many seats drawn by lot as the draw fills."""
    meta = yaml.safe_load(draw.split("---")[1])
    seats = [("citizen", meta["seats"]), ("substitute", meta.get("substitutes", 0))]
    members = "".join(
        f"  - role: {role}\n    selection: drawn-by-lot\n    count: {count}\n"
        for role, count in seats
        if count
    )
    drawn = "  - role: citizen\n    selection: drawn-by-lot\n    count: 30\n"
    return COMMITTEE.replace(drawn, members)


def project(folder: Path, people: list[dict], text: str | None = None) -> tuple[Path, Path]:
    """A content tree with a committee and its draw file, and a private pool beside it."""
    content = folder / "content"
    text = text or draw_text(synthetic.quotas(SEATS, CRITERIA))
    write(content, "committees/test/index.md", committee_for(text))
    write(content, "committees/test/draw.md", text)
    pool = folder / "private" / "pool.csv"
    pool.parent.mkdir(parents=True)
    synthetic.write(pool, people)
    return content, pool


def cli(content: Path, *args: str, hashseed: str = "random") -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, as an organiser runs it."""
    env = {**os.environ, "CIVICLOOP_DRAW_KEY": KEY, "PYTHONHASHSEED": hashseed}
    return subprocess.run(
        [sys.executable, "-m", "civicloop.cli", "--content", str(content), "draw", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def published(content: Path) -> PublishedDraw:
    catalog = load(content)
    assert not catalog.problems, catalog.problems
    doc = catalog.docs["committees/test/draw.md"]
    return PublishedDraw(doc.model, "test", content / "committees/test/draw.md")


def pool_of(content: Path, pool: Path):
    return read_pool(pool, published(content).draw, KEY.encode(), "test", content)


PEOPLE = synthetic.people(80, seed=3, criteria=CRITERIA)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> tuple[Path, Path, list[subprocess.CompletedProcess[str]]]:
    """One draw, committed and picked by the command in separate processes."""
    content, pool = project(tmp_path_factory.mktemp("drawn"), PEOPLE)
    runs = [
        cli(content, "commit", "test", "--pool", str(pool), hashseed="1"),
        cli(content, "pick", "test", "--pool", str(pool), "--random", PUBLIC_RANDOM,
            "--date", "2026-09-03", hashseed="2"),
    ]  # fmt: skip
    for done in runs:
        assert done.returncode == 0, done.stderr
    return content, pool, runs


def categories(people: list[dict], ids: set[str]) -> dict[str, Counter]:
    chosen = [p for p in people if pseudonym(KEY.encode(), "test", p["ref"]) in ids]
    return {name: Counter(p[name] for p in chosen) for name in list(synthetic.CRITERIA)[:CRITERIA]}


def within(counts: dict[str, Counter], quotas: dict) -> bool:
    return all(
        lo <= counts[name][value] <= hi
        for name, cats in quotas.items()
        for value, (lo, hi) in cats.items()
    )


def test_members_and_substitutes_meet_the_quotas_and_one_per_household(drawn):
    content, pool, _ = drawn
    result = json.loads((content / "committees/test/draw-result.json").read_text())
    members, spare = set(result["members"]), set(result["substitutes"])
    assert len(members) == SEATS and len(spare) == SPARE and not members & spare
    draw = published(content).draw
    assert within(categories(PEOPLE, members), draw.quotas())
    assert within(categories(PEOPLE, spare), draw.quotas(SPARE))
    assert result["achieved"] == {k: dict(v) | {} for k, v in result["achieved"].items()}
    for name, counts in categories(PEOPLE, members).items():
        assert all(result["achieved"][name][v] == n for v, n in counts.items())
    homes = Counter(
        (p["street"], p["postcode"])
        for p in PEOPLE
        if pseudonym(KEY.encode(), "test", p["ref"]) in members | spare
    )
    assert max(homes.values()) == 1
    commitment = json.loads((content / "committees/test/draw-commitment.json").read_text())
    assert sum(commitment["probabilities"].values()) == pytest.approx(SEATS)
    assert len(commitment["probabilities"]) == len(PEOPLE)
    assert commitment["run"]["PYTHONHASHSEED"] == "0"
    assert commitment["run"]["highs_options"] == HIGHS
    assert commitment["run"]["sortition-algorithms"] == "0.12.15"


def test_same_inputs_give_the_same_files_in_other_processes(drawn, tmp_path):
    """Separate processes, each started with another PYTHONHASHSEED: the draw pins its own."""
    content, _, _ = drawn
    again, pool = project(tmp_path, PEOPLE)
    assert cli(again, "commit", "test", "--pool", str(pool), hashseed="99").returncode == 0
    pick = ("pick", "test", "--pool", str(pool), "--random", PUBLIC_RANDOM, "--date", "2026-09-03")
    assert cli(again, *pick, hashseed="7").returncode == 0
    for name in ("draw-commitment.json", "draw-result.json"):
        first = (content / "committees/test" / name).read_bytes()
        assert (again / "committees/test" / name).read_bytes() == first, name


def _other_pool(people):
    changed = [dict(p) for p in people]
    changed[5]["age"] = "65+" if changed[5]["age"] != "65+" else "16-29"
    return changed


@pytest.mark.parametrize(
    ("people", "seed"),
    [
        pytest.param(_other_pool(PEOPLE), None, id="one-volunteer-changed"),
        pytest.param(PEOPLE[:-1], None, id="one-volunteer-less"),
        pytest.param(PEOPLE, 12345, id="other-seed"),
    ],
)
def test_a_changed_pool_or_seed_gives_another_commitment(drawn, tmp_path, people, seed):
    content, _, _ = drawn
    first = json.loads((content / "committees/test/draw-commitment.json").read_text())
    other, pool = project(tmp_path, people)
    args = ("commit", "test", "--pool", str(pool), *(("--seed", str(seed)) if seed else ()))
    done = cli(other, *args)
    assert done.returncode == 0, done.stderr
    second = json.loads((other / "committees/test/draw-commitment.json").read_text())
    if seed:
        assert second["pool"]["hash"] == first["pool"]["hash"]
        assert second["panels_hash"] != first["panels_hash"]
    else:
        assert second["pool"]["hash"] != first["pool"]["hash"]


def test_another_random_value_gives_another_ticket_and_ranking(drawn, tmp_path):
    content, pool, _ = drawn
    other = tmp_path / "content"
    shutil.copytree(content, other)
    (other / "committees/test/draw-result.json").unlink()
    done = cli(other, "pick", "test", "--pool", str(pool), "--random", "4 17 23 31 40 / 8")
    assert done.returncode == 0, done.stderr
    first, second = (
        json.loads((c / "committees/test/draw-result.json").read_text()) for c in (content, other)
    )
    assert first["random"]["ticket"] != second["random"]["ticket"]
    assert first["substitutes"] != second["substitutes"]


def test_the_whole_lottery_verifies_from_the_pool(drawn):
    content, pool, _ = drawn
    done = cli(content, "verify", "test", "--pool", str(pool))
    assert done.returncode == 0, done.stderr
    assert "the lottery computed again from the pool is the one committed to" in done.stdout
    assert "the substitutes drawn again from the pool are the ones published" in done.stdout
    tampered = pool.with_name("tampered.csv")
    synthetic.write(tampered, _other_pool(PEOPLE))
    done = cli(content, "verify", "test", "--pool", str(tampered))
    assert done.returncode == 2
    assert "the pool's hash is not the one committed to" in done.stderr
    done = cli(content, "commit", "test", "--pool", str(pool))
    assert done.returncode == 2
    assert "exists: this draw is already picked" in done.stderr


def _swap_member(result: dict, commitment: dict) -> None:
    result["members"][0] = result["substitutes"][0]


def _rehash_panels(result: dict, commitment: dict) -> None:
    members = commitment["panels"][0]["members"]
    members[0] = next(p for p in commitment["probabilities"] if p not in members)
    members.sort()
    commitment["panels_hash"] = digest(commitment["panels"])


def _seats(result: dict, commitment: dict) -> None:
    commitment["parameters"]["seats"] = 9


def _canonical(result: dict, commitment: dict) -> None:
    result["random"]["canonical"] = "1.2.3./"


def _rehash_random(result: dict, commitment: dict) -> None:
    result["random"]["value"] = "1 2 3"
    result["random"]["canonical"] = "1.2.3./"
    result["random"]["sha256"] = __import__("hashlib").sha256(b"1.2.3./").hexdigest()


def _quota(result: dict, commitment: dict) -> None:
    counts = result["achieved"]["gender"]
    most, least = max(counts, key=counts.get), min(counts, key=counts.get)
    counts[most], counts[least] = counts[most] + 5, counts[least] - 5


def _key(mapping: str, key: str):
    def change(result: dict, commitment: dict) -> None:
        target = result if mapping == "result" else commitment
        *path, last = key.split(".")
        for part in path:
            target = target[part]
        value = target[last]
        if isinstance(value, list):
            target[last] = list(reversed(value))
        elif isinstance(value, float):
            target[last] = value + 0.01
        elif isinstance(value, int):
            target[last] = value + 1
        else:
            target[last] = value[:-1] + ("0" if value[-1] != "0" else "1")

    return change


def _first_probability(result: dict, commitment: dict) -> None:
    first = next(iter(commitment["probabilities"]))
    commitment["probabilities"][first] += 0.01


def _stranger(result: dict, commitment: dict) -> None:
    result["replacements"].append(
        {
            "member": result["members"][0],
            "substitute": result["members"][1],
            "shared": [],
            "date": "2026-10-01",
        }
    )


def _left_twice(result: dict, commitment: dict) -> None:
    leaving = result["members"][0]
    result["replacements"] += [
        {
            "member": leaving,
            "substitute": result["substitutes"][0],
            "shared": [],
            "date": "2026-10-01",
        },
        {
            "member": leaving,
            "substitute": result["substitutes"][1],
            "shared": [],
            "date": "2026-10-02",
        },
    ]


TAMPERED = [
    pytest.param(_swap_member, "the members are not the panel on ticket", id="member-swapped"),
    pytest.param(_key("commitment", "panels_hash"), "the panels' hash", id="panels-hash"),
    pytest.param(_rehash_panels, "is not what the panels give", id="panel-changed-rehashed"),
    pytest.param(_first_probability, "is not what the panels give", id="probability"),
    pytest.param(_seats, "the parameters do not match their hash", id="parameters"),
    pytest.param(_key("commitment", "pool.hash"), "commitment's hash differs", id="pool-hash"),
    pytest.param(_key("commitment", "tickets"), "do not add up", id="tickets"),
    pytest.param(_key("result", "random.ticket"), "gives ticket", id="ticket"),
    pytest.param(_key("result", "random.sha256"), "SHA-256 differs", id="random-hash"),
    pytest.param(_canonical, "canonical form", id="canonical"),
    pytest.param(_rehash_random, "gives ticket", id="random-value-rehashed"),
    pytest.param(_key("result", "substitutes"), "not in the order", id="substitutes-order"),
    pytest.param(_quota, "outside the quota", id="achieved"),
    pytest.param(_key("result", "commitment_hash"), "commitment's hash differs", id="link"),
    pytest.param(_stranger, "is not a free substitute", id="replaced-by-a-member"),
    pytest.param(_left_twice, "left without being seated", id="left-twice"),
]


@pytest.mark.parametrize(("tamper", "expected"), TAMPERED)
def test_verify_fails_on_a_tampered_published_file(drawn, tmp_path, tamper, expected):
    content, _, _ = drawn
    copy = tmp_path / "content"
    shutil.copytree(content, copy)
    folder = copy / "committees/test"
    result = json.loads((folder / "draw-result.json").read_text())
    commitment_bytes = (folder / "draw-commitment.json").read_bytes()
    commitment = json.loads(commitment_bytes)
    verify(published(copy))  # whole before
    tamper(result, commitment)
    (folder / "draw-result.json").write_text(json.dumps(result, indent=1))
    if json.loads(commitment_bytes) != commitment:
        (folder / "draw-commitment.json").write_text(json.dumps(commitment, indent=1) + "\n")
    with pytest.raises(DrawError, match=expected.replace("'", ".")):
        verify(published(copy))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(lambda t: t.replace("max: 6", "max: 7", 1), "changed since", id="quota"),
        pytest.param(lambda t: t.replace("tickets: 200", "tickets: 300"), "changed", id="tickets"),
        pytest.param(lambda t: t.replace("2026-09-01", "2026-09-02"), "date changed", id="date"),
    ],
)
def test_verify_fails_when_the_draw_file_changed_after_the_commitment(
    drawn, tmp_path, change, expected
):
    content, _, _ = drawn
    copy = tmp_path / "content"
    shutil.copytree(content, copy)
    path = copy / "committees/test/draw.md"
    text = path.read_text()
    assert change(text) != text
    path.write_text(change(text))
    with pytest.raises(DrawError, match=expected):
        verify(published(copy))


def test_verify_says_what_is_missing_or_broken(drawn, tmp_path):
    content, _, _ = drawn
    copy = tmp_path / "content"
    shutil.copytree(content, copy)
    draw = published(copy)
    (copy / "committees/test/draw-result.json").write_text('{"format": 1,')
    with pytest.raises(DrawError, match=r"draw-result.json:1: not valid JSON"):
        verify(draw)
    (copy / "committees/test/draw-commitment.json").unlink()
    with pytest.raises(DrawError, match="does not exist; run `civicloop draw commit` first"):
        verify(draw)


def test_replace_seats_fitting_substitutes_and_keeps_the_quotas(drawn, tmp_path):
    content, pool, _ = drawn
    copy = tmp_path / "content"
    shutil.copytree(content, copy)
    key = write(tmp_path / "private", "key", KEY)
    draw = published(copy).draw
    people = {pseudonym(KEY.encode(), "test", p["ref"]): p for p in PEOPLE}
    names = list(synthetic.CRITERIA)[:CRITERIA]
    result = json.loads((copy / "committees/test/draw-result.json").read_text())
    for leaving in result["members"][:4]:
        before = json.loads((copy / "committees/test/draw-result.json").read_text())
        used = {c["substitute"] for c in before["replacements"]}
        free = [s for s in before["substitutes"] if s not in used]
        same = [s for s in free if all(people[s][n] == people[leaving][n] for n in names)]
        status = main(
            ["--content", str(copy), "draw", "replace", "test", "--member", leaving,
             "--pool", str(pool), "--key", str(key), "--date", "2026-10-01"]
        )  # fmt: skip
        assert status == 0
        after = json.loads((copy / "committees/test/draw-result.json").read_text())
        change = after["replacements"][-1]
        assert change["member"] == leaving and change["date"] == "2026-10-01"
        if same:  # the first substitute with all the leaving member's categories
            assert change["substitute"] == same[0]
        assert within(categories(PEOPLE, set(seated(after))), draw.quotas())
    with pytest.raises(DrawError, match="is not a seated member"):
        from civicloop.selection import replace

        replace(published(copy), pool_of(copy, pool), leaving, __import__("datetime").date.today())
    assert verify(published(copy))[-1].startswith("4 replacement(s)")


@pytest.mark.parametrize(
    ("quotas", "people", "expected"),
    [
        pytest.param(
            {"gender": {"woman": (3, 7), "man": (3, 7), "non-binary": (2, 2)}},
            [{"gender": "non-binary"}] * 3 + [{"gender": "woman"}] * 30 + [{"gender": "man"}] * 30,
            "'gender' = 'non-binary' needs at least 2 members and 2 substitutes, but the pool "
            "has 3 such volunteers",
            id="category-short-of-volunteers",
        ),
        pytest.param(
            {"gender": {"woman": (3, 7), "man": (3, 7)}},
            [{"gender": "woman"}] * 9 + [{"gender": "man"}] * 9,
            "the pool has 18 volunteers, fewer than the 20 people wanted",
            id="pool-too-small",
        ),
        pytest.param(
            {"gender": {"woman": (5, 5), "man": (5, 5)}, "age": {"young": (0, 2), "old": (8, 10)}},
            [{"gender": "woman", "age": "young"}] * 30 + [{"gender": "man", "age": "old"}] * 30,
            "It is not possible to hit all the targets",
            id="criteria-at-odds",
        ),
    ],
)
def test_unsatisfiable_quotas_are_explained(tmp_path, capsys, quotas, people, expected):
    rows = [
        {"ref": f"R{i}", "street": f"{i} Synthetic Street", "postcode": "S1", **p}
        for i, p in enumerate(people)
    ]
    content, pool = project(tmp_path, rows, draw_text(quotas))
    os.environ["CIVICLOOP_DRAW_KEY"] = KEY
    try:
        status = main(["--content", str(content), "draw", "commit", "test", "--pool", str(pool)])
    finally:
        del os.environ["CIVICLOOP_DRAW_KEY"]
    err = capsys.readouterr().err
    assert status == 2
    assert expected in err, err
    assert not (content / "committees/test/draw-commitment.json").exists()


QUOTAS = {"gender": {"woman": (4, 6), "man": (4, 6)}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            draw_text({"gender": {"woman": (6, 8), "man": (6, 8)}}),
            "the minimums of 'gender' add up to 12, more than the 10 seats; lower some minimums",
            id="minimums-over-seats",
        ),
        pytest.param(
            draw_text({"gender": {"woman": (1, 4), "man": (1, 4)}}),
            "the maximums of 'gender' add up to 8, fewer than the 10 seats; raise some maximums",
            id="maximums-under-seats",
        ),
        pytest.param(
            draw_text({"gender": {"woman": (6, 4), "man": (4, 6)}}),
            "is below the minimum 6",
            id="max-below-min",
        ),
        pytest.param(draw_text(QUOTAS, algorithm="leximin"), "'algorithm'", id="algorithm"),
        pytest.param(draw_text(QUOTAS, tickets=20000), "'tickets'", id="tickets"),
        pytest.param(
            draw_text(QUOTAS).replace("value: man", "value: woman"), "listed twice", id="twice"
        ),
        pytest.param(draw_text(QUOTAS, solver="gurobi"), "unknown field 'solver'", id="unknown"),
    ],
)
def test_draw_file_problems_name_file_and_line(tmp_path, capsys, text, expected):
    content, _ = project(tmp_path, PEOPLE[:3], text)
    status = main(["--content", str(content), "validate"])
    out = capsys.readouterr().out
    assert status == 1
    line = next(x for x in out.splitlines() if "committees/test/draw.md:" in x)
    assert expected in line and line.split("draw.md:")[1].split(":")[0].isdigit(), out


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3 1 4 / 15 9", "1.3.4./9.15./"),
        ("007, 1; 22", "1.7.22./"),
        ("  42  ", "42./"),
        ("5/4/", "5./4./"),
        ("1.2.3./", "1.2.3./"),
    ],
)
def test_random_values_have_one_canonical_form(value, expected):
    assert canonical(value) == expected


@pytest.mark.parametrize("value", ["", " / ", "dice: 3 4", "-3 4", "3 4e2", "½"])
def test_random_values_that_are_not_numbers_are_refused(value):
    with pytest.raises(DrawError):
        canonical(value)


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        pytest.param("content/pool.csv", "inside the content folder", id="in-content"),
        pytest.param("tracked.csv", "is tracked by git", id="tracked"),
        pytest.param("loose/pool.csv", "not ignored", id="in-work-tree"),
        pytest.param("var/pool.csv", None, id="ignored"),
        pytest.param("../outside/pool.csv", None, id="outside"),
    ],
)
def test_the_pool_is_refused_where_it_could_be_published(tmp_path, where, expected):
    repo = tmp_path / "repo"
    (repo / "content").mkdir(parents=True)
    _git(repo, "init", "-q")
    (repo / ".gitignore").write_text("var/\n")
    path = repo / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("ref\n")
    if where == "tracked.csv":
        _git(repo, "add", "tracked.csv")
    if expected is None:
        ensure_private(path, repo / "content")
    else:
        with pytest.raises(ValueError, match=expected):
            ensure_private(path, repo / "content")


def test_pool_problems_name_the_row_and_never_a_cell(tmp_path, capsys):
    rows = [dict(p) for p in PEOPLE[:30]]
    rows[3]["gender"] = "Secretvalue"
    rows[5]["ref"] = ""
    rows[7]["ref"] = rows[6]["ref"]
    content, pool = project(tmp_path, rows)
    status = main(
        ["--content", str(content), "draw", "commit", "test", "--pool", str(pool),
         "--key", str(write(tmp_path / "private", "key", KEY))]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert status == 2
    assert f"{pool}:5: the column 'gender' holds none of the categories" in err
    assert f"{pool}:7: the column 'ref' is empty" in err
    assert f"{pool}:9: the same 'ref' as row 8" in err
    assert "Secretvalue" not in err and rows[6]["ref"] not in err


def test_keys_are_refused_when_short_or_missing(tmp_path, capsys):
    content, pool = project(tmp_path, PEOPLE[:30])
    short = write(tmp_path / "private", "short", "too-short")
    args = ["--content", str(content), "draw", "commit", "test", "--pool", str(pool)]
    assert main([*args, "--key", str(short)]) == 2
    assert "use at least 32" in capsys.readouterr().err
    env = os.environ.pop("CIVICLOOP_DRAW_KEY", None)
    try:
        assert main(args) == 2
    finally:
        if env is not None:
            os.environ["CIVICLOOP_DRAW_KEY"] = env
    assert "no key: give --key FILE or set CIVICLOOP_DRAW_KEY" in capsys.readouterr().err
    key = tmp_path / "private" / "new.key"
    assert main(["--content", str(content), "draw", "key", str(key)]) == 0
    assert len(key.read_text().strip()) == 64 and key.stat().st_mode & 0o077 == 0


def test_a_key_of_raw_bytes_is_used_as_it_is_never_quoted(tmp_path):
    """`openssl rand 32 > key` makes a fine key that is not UTF-8; the decoding error named its
    bytes. Taken as it is, like the bot's key, the step goes on (here to the missing commitment)."""
    content, pool = project(tmp_path, PEOPLE[:30])
    raw = bytes(range(0x80, 0xA0)) + b"\xff" * 8
    key = tmp_path / "private" / "raw.key"
    key.write_bytes(raw)
    by_file = cli(content, "verify", "test", "--pool", str(pool), "--key", str(key))
    env = {**os.environ, "CIVICLOOP_DRAW_KEY": raw.decode("utf-8", "surrogateescape")}
    by_env = subprocess.run(
        [sys.executable, "-m", "civicloop.cli", "--content", str(content), "draw", "verify",
         "test", "--pool", str(pool)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    for done in (by_env, by_file):
        assert "codec can't" not in done.stderr  # the Unicode error quoting a byte of the key
        assert "run `civicloop draw commit` first" in done.stderr, done.stderr


def test_nothing_personal_in_published_files_or_output(drawn, tmp_path):
    content, pool, runs = drawn
    secret = {p[k] for p in PEOPLE for k in ("ref", "first name", "last name", "email", "street")}
    listing = tmp_path / "drawn.csv"
    done = cli(content, "list", "test", "--pool", str(pool), "--out", str(listing))
    assert done.returncode == 0, done.stderr
    outputs = [r.stdout + r.stderr for r in (*runs, done)]
    written = [p.read_text() for p in content.rglob("*") if p.is_file()]
    for text in outputs + written:
        assert not [s for s in secret if s in text]
    # values given per pseudonym are numbers only: no person's categories
    commitment = json.loads((content / "committees/test/draw-commitment.json").read_text())
    assert all(isinstance(v, float) for v in commitment["probabilities"].values())
    with listing.open() as rows:  # the organiser's own list has the people, in the pool's words
        listed = list(csv.DictReader(rows))
    assert len(listed) == SEATS + SPARE
    assert {r["ref"] for r in listed} <= {p["ref"] for p in PEOPLE}


def test_small_groups_of_the_pool_are_not_published(drawn):
    content, _, _ = drawn
    commitment = json.loads((content / "committees/test/draw-commitment.json").read_text())
    for categories_ in commitment["pool"]["per_category"].values():
        shown = [n for n in categories_.values() if n is not None]
        assert all(n >= 5 or n == 0 for n in shown)
        assert list(categories_.values()).count(None) != 1


def test_legacy_lottery_is_one_run_per_ticket(tmp_path):
    text = draw_text(synthetic.quotas(SEATS, CRITERIA), algorithm="legacy")
    content, pool = project(tmp_path, PEOPLE, text)
    done = cli(content, "commit", "test", "--pool", str(pool))
    assert done.returncode == 0, done.stderr
    commitment = json.loads((content / "committees/test/draw-commitment.json").read_text())
    assert sum(p["tickets"] for p in commitment["panels"]) == 200
    assert verify(published(content))
    again = cli(content, "commit", "test", "--pool", str(pool))
    assert again.returncode == 2
    assert "exists; if it was never published, delete it first" in again.stderr


def test_the_sample_draw_verifies_with_its_synthetic_pool(tmp_path):
    pool = tmp_path / "sample-pool.csv"
    subprocess.run(
        [sys.executable, "scripts/synthetic_pool.py", "120", str(pool), "--seed", "7"],
        cwd=ROOT,
        check=True,
    )
    env = {**os.environ, "CIVICLOOP_DRAW_KEY": "sample-key-for-synthetic-data-only-not-secret"}
    done = subprocess.run(
        [sys.executable, "-m", "civicloop.cli", "--content", str(ROOT / "content"), "draw",
         "verify", "sample-neighbourhood-committee", "--pool", str(pool)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "the lottery computed again from the pool is the one committed to" in done.stdout
    assert "1 replacement(s)" in done.stdout


def test_the_sample_site_shows_the_selection_record_and_no_one(sample_site):
    page = sample_site / "committees/sample-neighbourhood-committee/draw/index.html"
    text = page.read_text()
    for expected in ("Quotas and what the panel achieved", "ticket 293", "Who sits",
                     'href="../draw-commitment.json"', "<svg", "fewer than 5"):  # fmt: skip
        assert expected in text, expected
    committee = sample_site / "committees/sample-neighbourhood-committee/index.html"
    assert 'href="draw/"' in committee.read_text()
    french = sample_site / "fr/committees/sample-neighbourhood-committee/draw/index.html"
    assert "Comment les membres ont été tirés au sort" in french.read_text()
    folder = sample_site / "committees/sample-neighbourhood-committee"
    assert json.loads((folder / "draw-result.json").read_text())["random"]["ticket"] == 293
    people = synthetic.people(120, seed=7)
    secret = {p[k] for p in people for k in ("ref", "first name", "last name", "email", "street")}
    for path in sample_site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".ics", ".txt", ".js"):
            content = path.read_text(errors="replace")
            assert not [s for s in secret if s in content], path


def test_the_record_says_when_nothing_is_drawn_yet(tmp_path):
    from civicloop.draw_record import record

    content, _ = project(tmp_path, PEOPLE[:3])
    draw_file = content / "committees/test/draw.md"
    assert "Not drawn yet" in record(draw_file, published(content).draw, "en")
    assert "Pas encore tiré" in record(draw_file, published(content).draw, "fr")


def test_open_data_has_the_selection_record_with_its_schema(sample_site):
    import jsonschema

    data = json.loads((sample_site / "data/v1/draws.json").read_text())
    schema = json.loads((sample_site / "data/v1/schema/draws.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    (record,) = data["draws"]
    assert record["committee"] == "sample-neighbourhood-committee"
    assert record["pick"]["ticket"] == 293 and record["commitment"]["tickets"] == 1000
    assert len([s for s in record["members"] if s["left"] is None]) == record["seats"]
    (left,) = [s for s in record["members"] if s["left"]]
    assert left["replaced_by"] in [s["id"] for s in record["members"]]
    assert len(record["substitutes_waiting"]) == record["substitutes"] - 1
    sizes = {c["name"]: [k["pool"] for k in c["categories"]] for c in record["criteria"]}
    assert sizes["district"].count(None) == 2  # west and centre: fewer than 5 each


def _request(algorithm: str, highs: str = "") -> LotteryRequest:
    people = [
        {"id": p["ref"], **{n: p[n] for n in list(synthetic.CRITERIA)[:CRITERIA]},
         HOUSEHOLD: f"{p['street']}/{p['postcode']}"}
        for p in PEOPLE
    ]  # fmt: skip
    quotas = synthetic.quotas(SEATS, CRITERIA)
    return LotteryRequest(
        algorithm, SEATS, quotas, people, seed=7, tickets=50, households=True, highs=highs
    )


# The library's draw, in a process of its own without `_tune`'s mending
PLAIN = """import json, sys
from civicloop.lottery import Clock, LotteryRequest, _draw
print(json.dumps(_draw(LotteryRequest(**json.load(sys.stdin)), Clock())))
"""


@pytest.mark.parametrize("algorithm", ["maximin", "nash"])
def test_the_mended_solver_wrapper_gives_the_library_s_own_panels(algorithm):
    """`_tune` only removes waste: with HiGHS's own settings the panels are the library's."""
    request = _request(algorithm)
    mended, _ = run(request)
    plain = subprocess.run(
        [sys.executable, "-c", PLAIN],
        input=json.dumps(asdict(request)),
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=True,
    )
    assert json.loads(plain.stdout.splitlines()[-1]) == mended
    assert len({tuple(p) for p in mended}) > 1  # a lottery, not one panel 50 times


@pytest.mark.parametrize(
    ("highs", "expected"),
    [
        ("no_such_setting=1", "HiGHS has no setting no_such_setting=1"),
        ("threads=two", "HiGHS has no setting threads=two"),
        ("presolve=sometimes", "HiGHS has no setting presolve=sometimes"),
        ("mip_heuristic_run_feasibility_jump=1", "no setting mip_heuristic_run_feasibility_jump=1"),
    ],
)
def test_settings_highs_refuses_are_explained(highs, expected):
    with pytest.raises(LotteryError, match=expected):
        run(_request("maximin", highs))


SAMPLE_DRAW = ROOT / "content/committees/sample-neighbourhood-committee"


def _broken(text: str, name: str) -> str | bytes:
    """Ways a published draw file goes wrong: cut short, edited by hand, another version."""
    data = json.loads(text)
    first = next(iter(data))
    cases: dict[str, str | bytes] = {
        "empty": "",
        "cut": text[: len(text) // 2],
        "not-utf8": text.encode() + b"\xff\xfe",
        "a-list": "[]",
        "null": "null",
        "missing": json.dumps({k: v for k, v in data.items() if k != first}, indent=1),
        "extra": json.dumps({**data, "note": "hand-edited"}, indent=1),
        "wrong-type": json.dumps({**data, "format": "one"}, indent=1),
    }
    if "replacements" in data:
        changed = {**data, "replacements": [{"member": 1}]}
        cases["nested"] = json.dumps(changed, indent=1)
        cases["bad-date"] = json.dumps({**data, "picked": "3 September"}, indent=1)
    else:
        cases["nested"] = json.dumps({**data, "pool": {**data["pool"], "size": None}}, indent=1)
        cases["bad-date"] = json.dumps({**data, "panels": [{"members": "x", "tickets": 1}]})
    return cases[name]


@pytest.mark.parametrize("file", ["draw-commitment.json", "draw-result.json"])
@pytest.mark.parametrize(
    "case",
    [
        "empty",
        "cut",
        "not-utf8",
        "a-list",
        "null",
        "missing",
        "extra",
        "wrong-type",
        "nested",
        "bad-date",
    ],
)
def test_broken_published_draw_files_are_problems_with_their_line(tmp_path, capsys, file, case):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    path = content / SAMPLE_DRAW.relative_to(ROOT / "content") / file
    broken = _broken(path.read_text(encoding="utf-8"), case)
    (path.write_bytes if isinstance(broken, bytes) else path.write_text)(broken)
    catalog = load(content)
    mine = [p for p in catalog.problems if p.path.endswith(file)]
    assert mine and all(p.path == f"committees/sample-neighbourhood-committee/{file}" for p in mine)
    lines = len(path.read_bytes().splitlines()) or 1
    assert all(1 <= p.line <= lines for p in mine), mine
    assert main(["--content", str(content), "validate"]) == 1
    assert f"{file}:" in capsys.readouterr().out


def test_a_hand_edited_field_is_named_on_its_line(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    path = content / "committees/sample-neighbourhood-committee/draw-result.json"
    text = path.read_text(encoding="utf-8").replace('"ticket": 293', '"ticket": "293th"')
    path.write_text(text, encoding="utf-8")
    (problem,) = load(content).problems
    assert problem.line == next(i for i, x in enumerate(text.splitlines(), 1) if '"293th"' in x)
    assert "'random.ticket'" in problem.message
