"""A static file server for the built site that compresses like a real host does.

`python -m http.server` sends everything uncompressed, which makes page weight and
Lighthouse scores look much worse than on GitHub Pages. This server gzips text types
when the client accepts it, sets a real 404 page, and can run in a background thread
for the tests and the benchmark.

    python scripts/static_server.py site 8001
"""

from __future__ import annotations

import gzip
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map", ".ipynb", ".mjs"}


class Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".ipynb": "application/json", ".mjs": "text/javascript"}

    def log_message(self, format, *args):  # quiet: tests read results, not logs
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the slash URL
            path = path / "index.html"
        if not path.is_file():
            return self.not_found()
        body = path.read_bytes()
        encoding = None
        if path.suffix in COMPRESSIBLE and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            encoding = "gzip"
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        return _Body(body)

    def not_found(self):
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.is_file() else b"not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)


class _Body:
    """What send_head returns: something copyfile can read once."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser that closes a page mid-download (a test that is done with it) is not
        # an error worth a traceback in the test output
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def serve(directory: Path, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Start serving `directory` in a daemon thread; return the server and its base URL."""
    handler = partial(Handler, directory=str(directory))
    server = _Server(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "site")
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8001
    server, url = serve(folder, port)
    print(f"serving {folder} at {url} (gzip); Ctrl-C to stop")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()
