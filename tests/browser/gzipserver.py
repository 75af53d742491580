"""A static server for a built site on loopback, compressing like a static host would.

Text files (HTML, CSS, JavaScript, JSON, SVG, XML, calendars) are sent gzip-compressed with
`Content-Encoding: gzip` when the browser's `Accept-Encoding` allows it, so the sizes a browser
measures are the sizes a visitor downloads from a static host (GitHub Pages, Netlify, nginx with
`gzip_static`). A precompressed `name.gz` beside a file is used when present; otherwise the file
is compressed once (level 6, as hosts commonly do) and kept in memory.
"""

from __future__ import annotations

import gzip
import re
import sys
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "image/svg+xml",
    "application/manifest+json",
)


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "application/javascript",
        ".mjs": "application/javascript",
        ".json": "application/json",
        ".ics": "text/calendar",
        ".svg": "image/svg+xml",
        ".xml": "application/xml",
        ".webmanifest": "application/manifest+json",
    }
    server: SiteServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # quiet: tests read what the browser saw, not the server's log

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the stdlib's redirect to the slash form
            path = path / "index.html"
        if not path.is_file():
            return super().send_head()  # 404 page handling and errors as usual
        ctype = self.guess_type(str(path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and ctype.startswith(COMPRESSIBLE)):
            return super().send_head()
        body = self.server.compressed(path)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype + ("; charset=utf-8" if "text/" in ctype else ""))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None


def built_port(root: Path) -> int:
    """The port of the loopback address the site in `root` was built for (its robots.txt names
    it), so that its absolute links (language alternates, feeds, the sitemaps Material fetches
    beside them) lead back to the server; 0 (any port) for a site built for another host."""
    robots = root / "robots.txt"
    text = robots.read_text(encoding="utf-8") if robots.is_file() else ""
    found = re.search(r"^Sitemap: (\S+)$", text, re.MULTILINE)
    address = urlsplit(found[1]) if found else None
    if address is None or address.hostname != "127.0.0.1" or address.path != "/sitemap.xml":
        return 0
    return address.port or 80


class SiteServer(ThreadingHTTPServer):
    """Serves `root` at `http://127.0.0.1:<port>/` from a background thread."""

    daemon_threads = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root)
        self._cache: dict[Path, bytes] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__((host, port), partial(_Handler, directory=str(self.root)))

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the browser hung up mid-response (a cancelled load): nothing to report
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def compressed(self, path: Path) -> bytes:
        with self._lock:
            if path not in self._cache:
                pre = path.with_name(path.name + ".gz")
                if pre.is_file() and pre.stat().st_mtime >= path.stat().st_mtime:
                    self._cache[path] = pre.read_bytes()
                else:
                    self._cache[path] = gzip.compress(path.read_bytes(), 6, mtime=0)
            return self._cache[path]

    def start(self) -> SiteServer:
        self._thread = threading.Thread(target=self.serve_forever, name="site-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
