"""The outbox key's one parser: every key the bot makes reads back as itself, in the text form
stores already hold; anything else is refused."""

from datetime import datetime, timedelta

import pytest

from bot.outbox_key import OutboxKey, Purpose

STARTS = datetime.fromisoformat("2026-03-01T18:30:00+01:00")
MADE = [
    (OutboxKey.reply(123, 0), "r:123:0"),
    (OutboxKey.reply(7, "unanswered"), "r:7:unanswered"),
    (
        OutboxKey.announce("wallonia/03-budget", "0123abcd", 42),
        "ann:wallonia/03-budget:0123abcd:42",
    ),
    (
        OutboxKey.reminder("wallonia/03-budget", STARTS, timedelta(days=1), 42),
        "rem:wallonia/03-budget:2026-03-01T18:30:00+01:00:86400s:42",
    ),
    (
        OutboxKey.reminder(
            "s", datetime.fromisoformat("2026-03-01T18:30:00"), timedelta(hours=1), 1
        ),
        "rem:s:2026-03-01T18:30:00:3600s:1",
    ),
    (OutboxKey.poll("budget-2026", 5), "poll:budget-2026:5"),
    (OutboxKey.note("budget-2026", 5), "note:budget-2026:5"),
    (OutboxKey.stop("budget-2026", 5), "stop:budget-2026:5"),
    (OutboxKey.results("budget-2026", 5), "res:budget-2026:5"),
    (
        OutboxKey.recommendation("wallonia/r-01", "accepted", 5),
        "rec:wallonia/r-01:accepted:5",
    ),
    (OutboxKey.recommendation("wallonia/r-01", "overdue", 5), "rec:wallonia/r-01:overdue:5"),
    (OutboxKey.broadcast("0123456789abcdef", -100123), "bc:0123456789abcdef:-100123"),
]


@pytest.mark.parametrize(("key", "text"), MADE, ids=[text for _, text in MADE])
def test_every_key_reads_back_as_itself(key, text):
    assert str(key) == text
    assert OutboxKey.parse(text) == key


def test_what_a_key_says():
    reply, poll, broadcast = (OutboxKey.parse(t) for t in ("r:1:0", "poll:p:2", "bc:b:3"))
    assert (reply.priority, poll.priority, broadcast.priority) == (0, 1, 2)
    assert (reply.kept, poll.kept) == (False, True)
    assert [k.resent_when_unsure for k in (reply, poll, broadcast)] == [True, True, False]
    assert OutboxKey.parse("stop:p:2").resent_when_unsure
    assert poll.subject == "p" and poll.user == 2
    assert OutboxKey.poll("p").prefix == "poll:p:" and OutboxKey.poll("p").to(2) == poll
    template = OutboxKey.reminder("s", STARTS, timedelta(hours=1))
    assert str(template.to(9)).startswith(template.prefix)
    assert OutboxKey.replies_to(12) == "r:12:" and str(OutboxKey.reply(12, 3)).startswith("r:12:")
    assert OutboxKey.like(Purpose.BROADCAST) == "bc:%"


MALFORMED = [
    "",
    ":",
    "poll",
    "poll:",
    "poll::1",
    "poll:p:",
    "poll:p",
    "poll:p:x",
    "poll:p:01",
    "poll:p:1.0",
    "poll:p: 1",
    "poll:a:b:1",  # a ':' in an id
    "POLL:p:1",
    "x:1:2",
    "bc:x:1:2",
    "bc::1",
    "stop:p:1:",
    "note:p",
    "r:1",
    "r::0",
    "r:x:0",
    "r:1:0:5",
    "r:1:zero",
    "r:1:",
    "ann:s:1",
    "rec:wallonia/r-01:5",
    "res:p:overdue:5",
    "ann:s::1",
    "ann:s:h:x",
    "rem:s:3600s:1",
    "rem:s:not-a-time:3600s:1",
    "rem:s:2026-03-01T18:30:00+01:00:3600:1",
    "rem:s:2026-03-01T18:30:00+01:00:s:1",
    "rem:s:2026-03-01T18:30:00+01:00:3600s:",
    "rem:s:2026-03-01 18:30:00+01:00:3600s:1",  # a start written otherwise than the bot writes it
    "rem::2026-03-01T18:30:00+01:00:3600s:1",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_a_malformed_key_is_refused(text):
    with pytest.raises(ValueError):
        OutboxKey.parse(text)


@pytest.mark.parametrize(
    "make",
    [
        lambda: OutboxKey.poll("a:b", 1),
        lambda: OutboxKey.poll("", 1),
        lambda: OutboxKey.broadcast("x:y", 1),
        lambda: OutboxKey.announce("s", "", 1),
        lambda: OutboxKey(Purpose.REPLY, "1", ("0",), 5),
        lambda: OutboxKey(Purpose.POLL, "p", ("extra",), 1),
    ],
)
def test_a_key_that_would_not_read_back_is_not_made(make):
    with pytest.raises(ValueError):
        make()
