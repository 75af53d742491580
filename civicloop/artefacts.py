"""Every file the build adds besides pages: calendars, the feeds, `robots.txt` and the open
data."""

from __future__ import annotations

import json

from civicloop import draw_data
from civicloop.calendar import calendars
from civicloop.feed import feed
from civicloop.languages import CODES, feed_path
from civicloop.opendata import data_files
from civicloop.sharing import robots
from civicloop.sitecontext import SiteContext
from civicloop.types import json_schemas


def artefacts(site: SiteContext, site_name: str) -> dict[str, bytes]:
    """The generated files by their path in the site (a language's own under its folder,
    `fr/feed.xml`)."""
    files = calendars(site, site_name)
    files.update({feed_path(lang): feed(site, site_name, lang) for lang in CODES})
    files["robots.txt"] = robots(site)
    files.update({f"data/v1/{name}": data for name, data in data_files(site).items()})
    files.update({f"data/v1/{name}": data for name, data in draw_data.data_files(site).items()})
    for name, schema in json_schemas().items():
        files[f"schema/content/{name}.json"] = json.dumps(schema, indent=1).encode()
    return files
