"""Every file the build adds besides pages: calendars, the feed and the open data."""

from __future__ import annotations

import json

from civicloop.calendar import calendar
from civicloop.content import json_schemas
from civicloop.feed import feed
from civicloop.opendata import data_files
from civicloop.publication import Publication


def artefacts(publication: Publication, site_name: str) -> dict[str, bytes]:
    """The generated files by their path in the site."""
    catalog = publication.catalog
    files = {"calendar.ics": calendar(publication, catalog.sessions, site_name)}
    for slug, committee in catalog.committees.items():
        sessions = catalog.sessions_of(slug)
        files[publication.calendar_url(slug)] = calendar(
            publication, sessions, committee.model.title
        )
        for session in sessions:
            title = f"{committee.model.title}: {session.model.title}"
            files[publication.session_calendar_url(session)] = calendar(
                publication, [session], title
            )
    files["feed.xml"] = feed(publication, site_name)
    files.update({f"data/v1/{name}": data for name, data in data_files(publication).items()})
    for name, schema in json_schemas().items():
        files[f"schema/content/{name}.json"] = json.dumps(schema, indent=1).encode()
    return files
