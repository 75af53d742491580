"""A verifiable draw in two steps (Flanigan et al.; Panelot): commit to a lottery, then pick from it
with a public random value, and draw the substitutes; later, record replacements.

Step one (`commit`) writes `draw-commitment.json`: the pseudonymised pool's hash, the draw's
parameters and their hash, the versions and seeds, the lottery (panels and how many of its
`tickets` each holds) with its hash, and each volunteer's selection probability. Step two (`pick`)
turns a public random value into a canonical string in the style of RFC 3797 (numbers of each
source sorted, each followed by '.', each source by '/'), takes SHA-256 of it modulo the number of
tickets, and writes the panel on that ticket with the substitutes to `draw-result.json`.
Anyone can `verify` the pick from the published files; whoever holds the pool and the key can
verify the whole lottery too.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from civicloop.draw import Draw, digest, files, pool_problems
from civicloop.draw_files import Commitment, DrawFileError, Result, read
from civicloop.lottery import HIGHS, LotteryRequest, run
from civicloop.pool import Pool, published_counts

FORMAT = 1


class DrawError(ValueError):
    """The step cannot be taken, or a check failed; the message says which and why."""


@dataclass(frozen=True)
class PublishedDraw:
    """The draw's public files, as read for a step or a check."""

    draw: Draw
    committee: str
    path: Path  # the draw file

    @property
    def commitment_path(self) -> Path:
        return files(self.path)[0]

    @property
    def result_path(self) -> Path:
        return files(self.path)[1]

    def commitment(self) -> dict:
        return _read_json(self.commitment_path, Commitment, "run `civicloop draw commit` first")

    def result(self) -> dict:
        return _read_json(self.result_path, Result, "run `civicloop draw pick` first")


def _read_json(path: Path, model: type[Commitment | Result], hint: str) -> dict:
    if not path.exists():
        raise DrawError(f"{path} does not exist; {hint}")
    try:
        return read(path, str(path), model)
    except DrawFileError as error:
        raise DrawError(str(error)) from None


def _write_json(path: Path, value: dict) -> None:
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _seed(text: str) -> int:
    """A seed for the library (which takes 0 for 'unseeded') from a text: 1 to 2**31 - 1."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") % (2**31 - 1) + 1


def _request(draw: Draw, pool: Pool, seed: int, highs: str) -> LotteryRequest:
    return LotteryRequest(
        algorithm=draw.algorithm,
        seats=draw.seats,
        quotas=draw.quotas(),
        people=pool.people,
        seed=seed,
        tickets=draw.tickets,
        households=bool(draw.pool.household),
        highs=highs,
    )


def highs(commitment: dict) -> str:
    """The HiGHS settings a commitment was made with (none recorded: HiGHS's defaults)."""
    return commitment["run"].get("highs_options", "")


def lottery(draw: Draw, pool: Pool, seed: int, highs: str) -> tuple[list[dict], dict[str, str]]:
    """The distinct panels, sorted, each with its number of tickets, and the versions used."""
    tickets, used = run(_request(draw, pool, seed, highs))
    counted = Counter(tuple(panel) for panel in tickets)
    return [{"members": list(m), "tickets": n} for m, n in sorted(counted.items())], used


def probabilities(panels: list[dict], tickets: int) -> dict[str, float]:
    held = Counter()
    for panel in panels:
        for member in panel["members"]:
            held[member] += panel["tickets"]
    return {member: round(n / tickets, 6) for member, n in sorted(held.items())}


def commit(published: PublishedDraw, pool: Pool, seed: int | None = None) -> dict:
    """Step one: check the quotas against the pool, compute the lottery, write the commitment."""
    draw = published.draw
    if published.result_path.exists():
        raise DrawError(f"{published.result_path} exists: this draw is already picked")
    if published.commitment_path.exists():  # a published commitment is never made again
        raise DrawError(
            f"{published.commitment_path} exists; if it was never published, delete it first"
        )
    problems = pool_problems(draw, pool.counts(draw), len(pool.people))
    if problems:
        raise DrawError("the quotas cannot be met:\n" + "\n".join(f"- {p}" for p in problems))
    seed = _seed(f"commit/{pool.digest}") if seed is None else seed
    panels, used = lottery(draw, pool, seed, HIGHS)
    everyone = dict.fromkeys((p["id"] for p in pool.people), 0.0)
    commitment = {
        "format": FORMAT,
        "committee": published.committee,
        "parameters": draw.parameters(),
        "parameters_hash": digest(draw.parameters()),
        "pool": {
            "size": len(pool.people),
            "hash": pool.digest,
            "per_category": published_counts(pool.counts(draw)),
        },
        "run": {**used, "solver": "highspy", "highs_options": HIGHS, "seed": seed},
        "tickets": draw.tickets,
        "panels": panels,
        "panels_hash": digest(panels),
        "probabilities": {**everyone, **probabilities(panels, draw.tickets)},
    }
    _write_json(published.commitment_path, commitment)
    return commitment


NUMBER = re.compile(r"^\d+$")


def canonical(value: str) -> str:
    """RFC 3797's form of a public random value: '3 1 4 / 15 9' -> '1.3.4./9.15./'."""
    sources = [s.strip() for s in value.split("/") if s.strip()]
    if not sources:
        raise DrawError("the random value is empty; give numbers, sources separated by '/'")
    out = ""
    for source in sources:
        tokens = [t for t in re.split(r"[\s,;.]+", source) if t]
        bad = [t for t in tokens if not NUMBER.match(t)]
        if bad:
            raise DrawError(
                f"the random value has {bad[0]!r}, not a whole number; write each source's "
                "numbers separated by spaces, and sources separated by '/'"
            )
        out += "".join(f"{n}." for n in sorted(int(t) for t in tokens)) + "/"
    return out


def ticket(canonical_value: str, tickets: int) -> int:
    """SHA-256 of the canonical value, as a number, modulo the tickets (bias below 2**-240)."""
    return int(hashlib.sha256(canonical_value.encode()).hexdigest(), 16) % tickets


def panel_at(panels: list[dict], index: int) -> list[str]:
    for panel in panels:
        if index < panel["tickets"]:
            return panel["members"]
        index -= panel["tickets"]
    raise DrawError(f"ticket {index} is beyond the lottery")


def rank(canonical_value: str, ids: list[str]) -> list[str]:
    """The substitutes' order: by SHA-256 of the random value and each pseudonym."""
    return sorted(ids, key=lambda i: hashlib.sha256(f"{canonical_value}/{i}".encode()).digest())


def substitutes(
    draw: Draw, pool: Pool, members: list[str], canonical_value: str, highs: str
) -> list[str]:
    """A second run, among those not drawn, to the quotas scaled to the substitutes' number,
    with the HiGHS settings of the commitment."""
    if not draw.substitutes:
        return []
    seated = set(members)
    request = LotteryRequest(
        algorithm=draw.algorithm,
        seats=draw.substitutes,
        quotas=draw.quotas(draw.substitutes),
        people=[p for p in pool.people if p["id"] not in seated],
        seed=_seed(f"substitutes/{canonical_value}"),
        households=bool(draw.pool.household),
        seated=[p for p in pool.people if p["id"] in seated],
        highs=highs,
    )
    drawn, _ = run(request)
    return rank(canonical_value, drawn[0])


def pick(published: PublishedDraw, pool: Pool, random_value: str, when: date) -> dict:
    """Step two: the panel on the ticket the random value gives, then the substitutes."""
    commitment = published.commitment()
    if published.result_path.exists():
        raise DrawError(f"{published.result_path} exists: this draw is already picked")
    _check_commitment(published, commitment)
    if commitment["pool"]["hash"] != pool.digest:
        raise DrawError("this pool is not the one committed to (its hash differs)")
    value = canonical(random_value)
    index = ticket(value, commitment["tickets"])
    members = panel_at(commitment["panels"], index)
    ranked = substitutes(published.draw, pool, members, value, highs(commitment))
    result = {
        "format": FORMAT,
        "commitment_hash": hashlib.sha256(published.commitment_path.read_bytes()).hexdigest(),
        "random": {
            "value": random_value,
            "canonical": value,
            "sha256": hashlib.sha256(value.encode()).hexdigest(),
            "ticket": index,
        },
        "picked": when.isoformat(),
        "members": members,
        "achieved": pool.counts(published.draw, set(members)),
        "substitutes": ranked,
        "substitutes_achieved": pool.counts(published.draw, set(ranked)),
        "replacements": [],
    }
    _write_json(published.result_path, result)
    return result


def seated(result: dict) -> list[str]:
    """The members now, after the replacements."""
    now = list(result["members"])
    for change in result["replacements"]:
        now[now.index(change["member"])] = change["substitute"]
    return now


def replace(published: PublishedDraw, pool: Pool, member: str, when: date) -> dict:
    """The first substitute, in rank, with the leaving member's categories on every criterion;
    else the one that keeps all quotas and shares most criteria with them (rank breaks ties)."""
    result = published.result()
    verify(published)
    if pool.digest != published.commitment()["pool"]["hash"]:
        raise DrawError("this pool is not the one committed to (its hash differs)")
    change = choose(published.draw, pool, result, member)
    result["replacements"].append({**change, "date": when.isoformat()})
    _write_json(published.result_path, result)
    return change


def choose(draw: Draw, pool: Pool, result: dict, member: str) -> dict:
    now = seated(result)
    if member not in now:
        raise DrawError(f"{member} is not a seated member; seated: {', '.join(sorted(now))}")
    used = {c["substitute"] for c in result["replacements"]}
    free = [s for s in result["substitutes"] if s not in used]
    if not free:
        raise DrawError("no substitute is left")
    people = pool.by_id()
    names = [c.name for c in draw.criteria]
    leaving = people[member]

    def shared(candidate: str) -> list[str]:
        return [n for n in names if people[candidate][n] == leaving[n]]

    def keeps_quotas(candidate: str) -> bool:
        after = {*now, candidate} - {member}
        counts = pool.counts(draw, after)
        quotas = draw.quotas().items()
        return all(lo <= counts[n][v] <= hi for n, cats in quotas for v, (lo, hi) in cats.items())

    fitting = [s for s in free if keeps_quotas(s)]
    if not fitting:
        raise DrawError(
            f"none of the {len(free)} substitutes left keeps the quotas if {member} leaves; "
            "the panel may run one short, or the organiser may draw again"
        )
    best = max(fitting, key=lambda s: (len(shared(s)), -free.index(s)))
    return {"member": member, "substitute": best, "shared": shared(best)}


def _check_commitment(published: PublishedDraw, commitment: dict) -> None:
    draw = published.draw
    path = published.commitment_path
    if commitment.get("format") != FORMAT:
        raise DrawError(f"{path}: format {commitment.get('format')!r}, expected {FORMAT}")
    if digest(commitment["parameters"]) != commitment["parameters_hash"]:
        raise DrawError(f"{path}: the parameters do not match their hash")
    if commitment["parameters"] != draw.parameters():
        changed = sorted(
            k for k, v in draw.parameters().items() if commitment["parameters"].get(k) != v
        )
        raise DrawError(
            f"{published.path}: {', '.join(changed)} changed since the commitment; a committed "
            "draw's file must stay as it was"
        )
    if commitment["committee"] != published.committee:
        raise DrawError(f"{path}: the commitment is for '{commitment['committee']}'")
    panels = commitment["panels"]
    if digest(panels) != commitment["panels_hash"]:
        raise DrawError(f"{path}: the panels do not match the panels' hash")
    if sum(p["tickets"] for p in panels) != commitment["tickets"] or commitment["tickets"] != (
        draw.tickets
    ):
        raise DrawError(f"{path}: the panels' tickets do not add up to {draw.tickets}")
    everyone = commitment["probabilities"]
    if len(everyone) != commitment["pool"]["size"]:
        raise DrawError(f"{path}: {len(everyone)} probabilities for a pool of a different size")
    for panel in panels:
        members = panel["members"]
        if len(set(members)) != draw.seats or members != sorted(members):
            raise DrawError(f"{path}: a panel has not {draw.seats} distinct members, sorted")
        if not set(members) <= set(everyone):
            raise DrawError(f"{path}: a panel has a member who is not in the pool")
    expected = {**dict.fromkeys(everyone, 0.0), **probabilities(panels, commitment["tickets"])}
    if expected != everyone:
        wrong = next(k for k in everyone if expected.get(k) != everyone[k])
        raise DrawError(f"{path}: the probability of {wrong} is not what the panels give")


def _check_counts(where: Path, label: str, counts: dict, quotas: dict, total: int) -> None:
    for name, categories in quotas.items():
        got = counts.get(name, {})
        if set(got) != set(categories) or sum(got.values()) != total:
            raise DrawError(f"{where}: {label} '{name}' counts do not add up to {total}")
        for value, (lo, hi) in categories.items():
            if not lo <= got[value] <= hi:
                raise DrawError(
                    f"{where}: {label} has {got[value]} for '{name}' = '{value}', "
                    f"outside the quota {lo}-{hi}"
                )


def verify(published: PublishedDraw, pool: Pool | None = None) -> list[str]:
    """Every check that the published files allow (and the pool, if given); what was checked."""
    draw = published.draw
    commitment = published.commitment()
    _check_commitment(published, commitment)
    done = [
        f"the commitment is whole: {len(commitment['panels'])} panels on "
        f"{commitment['tickets']} tickets, hash {commitment['panels_hash'][:12]}"
    ]
    if pool is not None:
        if pool.digest != commitment["pool"]["hash"]:
            raise DrawError("the pool's hash is not the one committed to")
        if published_counts(pool.counts(draw)) != commitment["pool"]["per_category"]:
            raise DrawError("the pool's counts per category are not the ones published")
        panels, used = lottery(draw, pool, commitment["run"]["seed"], highs(commitment))
        if panels != commitment["panels"]:
            versions = {k: v for k, v in used.items() if commitment["run"].get(k) != v}
            raise DrawError(
                "the lottery computed again from the pool differs from the commitment"
                + (f" (other versions here: {versions})" if versions else "")
            )
        done.append("the lottery computed again from the pool is the one committed to")
    if not published.result_path.exists():
        return done
    result = published.result()
    where = published.result_path
    if (
        result["commitment_hash"]
        != hashlib.sha256(published.commitment_path.read_bytes()).hexdigest()
    ):
        raise DrawError(f"{where}: the commitment's hash differs: it changed after the pick")
    value = canonical(result["random"]["value"])
    if value != result["random"]["canonical"]:
        raise DrawError(f"{where}: the random value's canonical form is {value!r}")
    if hashlib.sha256(value.encode()).hexdigest() != result["random"]["sha256"]:
        raise DrawError(f"{where}: the random value's SHA-256 differs")
    index = ticket(value, commitment["tickets"])
    if index != result["random"]["ticket"]:
        raise DrawError(f"{where}: the random value gives ticket {index}, not the one written")
    if result["members"] != panel_at(commitment["panels"], index):
        raise DrawError(f"{where}: the members are not the panel on ticket {index}")
    _check_counts(where, "the members'", result["achieved"], draw.quotas(), draw.seats)
    done.append(f"ticket {index} of {commitment['tickets']}: its panel is the members")
    ranked = result["substitutes"]
    if len(ranked) != draw.substitutes or len(set(ranked)) != len(ranked):
        raise DrawError(f"{where}: not {draw.substitutes} distinct substitutes")
    if set(ranked) & set(result["members"]) or not set(ranked) <= set(commitment["probabilities"]):
        raise DrawError(f"{where}: a substitute is a member, or not in the pool")
    if ranked != rank(value, ranked):
        raise DrawError(f"{where}: the substitutes are not in the order the random value gives")
    if draw.substitutes:
        spare, achieved = draw.quotas(draw.substitutes), result["substitutes_achieved"]
        _check_counts(where, "the substitutes'", achieved, spare, len(ranked))
    done.append(f"{len(ranked)} substitutes, ranked by the random value, within their quotas")
    if pool is not None:
        if pool.counts(draw, set(result["members"])) != result["achieved"]:
            raise DrawError(f"{where}: the members' counts are not what the pool gives")
        if substitutes(draw, pool, result["members"], value, highs(commitment)) != ranked:
            raise DrawError(f"{where}: the substitutes drawn again from the pool differ")
        done.append("the substitutes drawn again from the pool are the ones published")
    _check_replacements(where, result, draw, pool)
    if result["replacements"]:
        done.append(f"{len(result['replacements'])} replacement(s), each by a free substitute")
    return done


def _check_replacements(where: Path, result: dict, draw: Draw, pool: Pool | None) -> None:
    partial = {**result, "replacements": []}
    for change in result["replacements"]:
        now, used = seated(partial), {c["substitute"] for c in partial["replacements"]}
        if change["member"] not in now:
            raise DrawError(f"{where}: {change['member']} left without being seated")
        if change["substitute"] not in result["substitutes"] or change["substitute"] in used:
            raise DrawError(f"{where}: {change['substitute']} is not a free substitute")
        if pool is not None:
            expected = choose(draw, pool, partial, change["member"])
            if expected["substitute"] != change["substitute"]:
                raise DrawError(
                    f"{where}: {change['member']} should have been replaced by "
                    f"{expected['substitute']}, the first fitting substitute"
                )
        partial["replacements"].append(change)
