"""Every file the build adds besides pages: calendars, the feed and the open data."""

from __future__ import annotations

import json

from civicloop import draw_data
from civicloop.calendar import calendars
from civicloop.content import json_schemas
from civicloop.feed import feed
from civicloop.opendata import data_files
from civicloop.sitecontext import SiteContext


def artefacts(site: SiteContext, site_name: str) -> dict[str, bytes]:
    """The generated files by their path in the site."""
    files = calendars(site, site_name)
    files["feed.xml"] = feed(site, site_name)
    files.update({f"data/v1/{name}": data for name, data in data_files(site).items()})
    files.update({f"data/v1/{name}": data for name, data in draw_data.data_files(site).items()})
    for name, schema in json_schemas().items():
        files[f"schema/content/{name}.json"] = json.dumps(schema, indent=1).encode()
    return files
