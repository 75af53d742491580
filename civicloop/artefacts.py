"""Every file the build adds besides pages: calendars, the feed and the open data."""

from __future__ import annotations

import json
from pathlib import Path

from civicloop import draw_data
from civicloop.calendar import calendars
from civicloop.feed import feed
from civicloop.opendata import FILES, data_files
from civicloop.sitecontext import SiteContext
from civicloop.types import TYPES, json_schemas


def artefacts(site: SiteContext, site_name: str) -> dict[str, bytes]:
    """The generated files by their path in the site."""
    files = calendars(site, site_name)
    files["feed.xml"] = feed(site, site_name)
    files.update({f"data/v1/{name}": data for name, data in data_files(site).items()})
    files.update({f"data/v1/{name}": data for name, data in draw_data.data_files(site).items()})
    for name, schema in json_schemas().items():
        files[f"schema/content/{name}.json"] = json.dumps(schema, indent=1).encode()
    return files


def artefact_paths(site: SiteContext) -> list[str]:
    """The paths `artefacts` will make, known before it has made them (it takes a while)."""
    catalog = site.catalog
    paths = [site.calendar_url(), "feed.xml"]
    paths += [site.calendar_url(slug) for slug in catalog.committees]
    paths += [site.session_calendar_url(s) for s in catalog.sessions]
    paths += [
        f"data/v1/{prefix}{name}"
        for name in (*FILES, *draw_data.FILES)
        for prefix in ("", "schema/")
    ]
    paths += [f"schema/content/{name}.json" for name in TYPES]
    return paths


def write_artefacts(site: SiteContext, site_name: str, folder: Path) -> None:
    """Write the artefacts under `folder`, exactly at `artefact_paths` (a second process of the
    build does this while MkDocs renders the pages)."""
    files = artefacts(site, site_name)
    if sorted(files) != sorted(artefact_paths(site)):
        raise RuntimeError("artefact_paths() does not list what artefacts() makes")
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
