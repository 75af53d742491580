"""The ways to follow a calendar: apps subscribe to its address (`webcal:`, Google Calendar,
Outlook) and then see every change; a download is a copy that never changes.

Its own module, without the content machinery, so that the content types can offer the links.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from civicloop.escaping import Markdown, markdown_link, markdown_text

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/addfromweb"


@dataclass(frozen=True)
class Subscription:
    name: str  # what the calendar app calls it
    path: str  # the .ics file, relative to the site root
    url: str  # its absolute address (from CIVICLOOP_SITE_URL)

    @property
    def webcal(self) -> str:
        """The address with the `webcal:` scheme, which opens the system's calendar app (an
        address without a host, as `validate` makes pages with, stays as it is)."""
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(scheme="webcal")) if parts.netloc else self.url

    @property
    def google(self) -> str:
        return f"{GOOGLE}?{_query(cid=self.webcal)}"

    @property
    def outlook(self) -> str:
        return f"{OUTLOOK}?{_query(url=self.url, name=self.name)}"


def uri(address: str) -> str:
    """An address as a URI: characters a URI cannot hold as they are (spaces, letters beyond
    ASCII, quotes) percent-encoded, and what is encoded already left so."""
    return quote(address, safe=":/?#[]@!$&'()*+,;=%~")


@lru_cache(maxsize=4096)  # a committee's links are on each of its sessions' pages
def _query(**values: str) -> str:
    """A query string with every reserved character percent-encoded (spaces as %20)."""
    return urlencode(values, quote_via=quote, safe="")


def webcal_link(text: str, url: str) -> Markdown:
    """A Markdown link to a `webcal:` address (which `markdown_link` refuses, as it refuses any
    scheme but http, https and mailto), for an address `Subscription` made; any other address
    is linked as `markdown_link` links it."""
    if not url.startswith("webcal://"):
        return markdown_link(text, url)
    destination = quote(url, safe="/:?#[]@!$*+,;=%~-._").replace("&", "&amp;")
    return Markdown(f"[{markdown_text(text)}]({destination})")
