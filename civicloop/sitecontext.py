"""What every published artefact needs to know: the content, the site's address, and 'now'."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from civicloop import follow
from civicloop.catalog import Catalog, Entry
from civicloop.escaping import clean_line
from civicloop.history import Revision, revision, revisions, status_changes
from civicloop.loading import load
from civicloop.organisation import Contact
from civicloop.subscriptions import Subscription, uri


@dataclass
class SiteContext:
    catalog: Catalog
    base_url: str  # absolute, ends with '/'
    now: datetime
    history: dict[str, Revision] = field(default_factory=dict)
    bot: str | None = None  # the bot's username (CIVICLOOP_BOT_USERNAME): pages link to it
    statuses: dict[str, list[tuple[datetime, str]]] = field(default_factory=dict)  # from git
    contact: Contact | None = None  # the organisation's (CIVICLOOP_CONTACT); None: not given

    @classmethod
    def open(
        cls,
        content: Path,
        base_url: str,
        now: datetime | None = None,
        contact: Contact | None = None,
    ) -> SiteContext:
        return cls(
            catalog=load(content),
            base_url=base_url.rstrip("/") + "/",
            now=now or current_time(),
            history=revisions(content),
            bot=follow.username(),
            statuses=status_changes(content),
            contact=contact,
        )

    def absolute(self, url: str) -> str:
        return self.base_url + url.lstrip("/")

    def revision(self, doc: Entry) -> Revision:
        return revision(self.catalog.root, doc.path, self.history)

    def upcoming(self, committee: str | None = None) -> list[Entry]:
        """The sessions that have not ended, cancelled ones too (shown where their date is), and
        those not held yet whose date is not known."""
        catalog = self.catalog
        sessions = catalog.sessions_of(committee) if committee else catalog.sessions
        return [
            s
            for s in sessions
            if s.model.to_come(self.now, ZoneInfo(catalog.committee_of(s).timezone))
        ]

    def calendar_url(self, committee: str | None = None) -> str:
        return f"committees/{committee}/calendar.ics" if committee else "calendar.ics"

    def session_calendar_url(self, session: Entry) -> str:
        return session.url.rstrip("/") + ".ics"

    def subscription(self, committee: str | None, name: str) -> Subscription:
        """How to follow the calendar of `committee` (or of all sessions), called `name`."""
        path = self.calendar_url(committee)
        return Subscription(clean_line(name), path, uri(self.absolute(path)))


def current_time() -> datetime:
    """Now, or CIVICLOOP_NOW (ISO 8601) so builds and tests can be pinned to a moment."""
    pinned = os.environ.get("CIVICLOOP_NOW")
    return datetime.fromisoformat(pinned) if pinned else datetime.now(UTC)
