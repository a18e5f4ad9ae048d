"""Offline replay of the outlets: a loopback HTTP(S) proxy that answers the outlets'
real URLs from recorded files.

The crawler needs no change to use it: Scrapy's HttpProxyMiddleware takes ``http_proxy``
and ``https_proxy`` from the environment, as it would for any operator's proxy. Plain
http requests arrive with absolute URLs; https arrives as CONNECT, answered with a
certificate for the host signed by the replay's own CA, which the crawler (verifying
certificates) is told to trust with SSL_CERT_FILE=<port file>.ca.pem.
URLs not in the route table answer 404. Responses are gzip-encoded when the client
accepts it, as real servers do, so the crawler's WARCs hold encoded bodies.

    python -m tests.replay.server --routes tests/replay/routes.yaml --port-file .run/replay.port
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import gzip
import hashlib
import importlib
import re
import ssl
import sys
import tempfile
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_ROUTES = HERE / "routes.yaml"
FIXTURES = HERE / "fixtures"


@dataclass
class Route:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    # The first `times` requests get this answer instead (e.g. a 429 with Retry-After).
    first: dict | None = None
    # Hostile answers: send only this many bytes of the body (the declared length is
    # the whole), then close; never gzip the body (to serve it at its real size).
    truncate: int | None = None
    gzip: bool = True


def generated(spec: dict) -> tuple[bytes, dict[str, str]]:
    """Bodies too big or too odd to keep as files: ``{kind: big|binary|gzip_bomb|paragraphs,
    size}``, or derived from a fixture: ``{kind: gbk_as_utf8|invalid_utf8, file}``,
    ``{kind: unclosed_scripts, file, count}``; answers with floods of headers:
    ``{kind: header_flood, count}``, ``{kind: cookie_flood, count, body}``; a sitemap of
    ``count`` article URLs made from ``url`` (``{n}`` numbers them), dated ``date``:
    ``{kind: sitemap, count, url, date}``."""
    import random

    kind = spec["kind"]
    size = int(spec.get("size", 0))
    if kind == "big":
        unit = b"<p>All work and no play makes Jack a dull boy.</p>\n"
        return b"<html><body>" + unit * (size // len(unit)) + b"</body></html>", {}
    if kind == "binary":
        return random.Random(size).randbytes(size), {}
    if kind == "gbk_as_utf8":
        # A UTF-8 page re-encoded as GBK with its own charset declaration removed.
        text = (FIXTURES / spec["file"]).read_text("utf-8")
        text = re.sub(r"<meta[^>]*charset[^>]*>", "", text, flags=re.I)
        return text.encode("gbk", "replace"), {}
    if kind == "invalid_utf8":
        # A UTF-8 page with bytes no UTF-8 decoder accepts, in the middle of its body.
        page = (FIXTURES / spec["file"]).read_bytes()
        at = page.find(b"<p>", len(page) // 2)
        return page[:at] + b"<p>Broken bytes \xff\xfe\xc3\x28 in the middle.</p>" + page[at:], {}
    if kind == "paragraphs":
        # An article of ``size`` bytes of short paragraphs: costly for any extractor.
        unit = b"<p>Some words in a paragraph of a very long page.</p>"
        head = b"<html><head><title>Paragraphs</title></head><body><article>"
        return head + unit * (size // len(unit)) + b"</article></body></html>", {}
    if kind == "unclosed_scripts":
        # A good page followed by ``count`` <script> openers that are never closed.
        page = (FIXTURES / spec["file"]).read_bytes()
        return page + b"<script>" * int(spec["count"]), {}
    if kind == "header_flood":
        # A small page under ``count`` distinct 100-byte headers.
        flood = {f"X-Flood-{n}": "f" * 100 for n in range(int(spec["count"]))}
        return b"<html><body><p>Flooded.</p></body></html>", flood
    if kind == "cookie_flood":
        # ``body`` with ``count`` cookies set (one Set-Cookie line each).
        cookies = [f"c{n}=" + "v" * 80 for n in range(int(spec["count"]))]
        return spec["body"].encode(), {"Set-Cookie": "\r\nSet-Cookie: ".join(cookies)}
    if kind == "gzip_file":
        # A fixture served as a .gz file (no Content-Encoding), as sitemaps often are.
        return gzip.compress((FIXTURES / spec["file"]).read_bytes(), mtime=0), {}
    if kind == "sitemap":
        entry = "<url><loc>{loc}</loc><lastmod>{date}</lastmod></url>\n"
        entries = "".join(
            entry.format(loc=spec["url"].format(n=n), date=spec["date"])
            for n in range(int(spec["count"]))
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</urlset>\n"
        ).encode(), {}
    if kind == "gzip_bomb":
        compressor = gzip.compress(b"\0" * size, compresslevel=9, mtime=0)
        return compressor, {"Content-Encoding": "gzip"}
    raise ValueError(f"unknown generated body kind {kind!r}")


def trap_page(url: str, number: int) -> bytes:
    """An endless pagination / calendar trap: every page links to the next one."""
    nxt = url.replace(f"index_{number}.", f"index_{number + 1}.")
    return (
        f"<html><body><h1>Archive page {number}</h1><a href='{nxt}'>Next</a>"
        f"<a href='?date=9999-{number % 12 + 1:02d}-01'>next month</a></body></html>"
    ).encode()


def load_routes(paths: list[Path], fixtures: Path = FIXTURES) -> dict[str, Route]:
    """Later route files override earlier ones; ``status: 404`` with no file removes."""
    routes: dict[str, Route] = {}
    for path in paths:
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            status = int(entry.get("status", 200))
            extra: dict[str, str] = {}
            if entry.get("file"):
                body = (fixtures / entry["file"]).read_bytes()
            elif entry.get("generate"):
                body, extra = generated(entry["generate"])
            else:
                body = entry.get("body", "").encode("utf-8")
            if entry.get("canonical"):
                # The page's rel=canonical made to say this (``self``: the route's URL),
                # added when it has none: a fixture served at several URLs would
                # otherwise declare one article.
                to = entry["url"] if entry["canonical"] == "self" else entry["canonical"]
                link = b'<link rel="canonical" href="' + to.encode() + b'" />'
                body, found = re.subn(rb'<link rel="canonical" href="[^"]*"\s*/?>', link, body)
                if not found:
                    body = body.replace(b"</head>", link + b"</head>", 1)
            if entry.get("trap"):
                TRAPS.append(re.compile(entry["trap"]))
                continue
            if entry.get("generator"):
                # A Python function makes the answer: `module:function(url, match)` returns
                # (body, content type). For pages too many to keep as files (the bench).
                module, _, name = entry["generator"].partition(":")
                make = getattr(importlib.import_module(module), name)
                key = entry.get("pattern") or entry["url"]
                GENERATORS.append((re.compile(entry.get("pattern") or re.escape(key) + "$"), make))
                continue
            if status == 404 and not entry.get("file") and "body" not in entry:
                routes.pop(entry["url"], None)
                continue
            routes[entry["url"]] = Route(
                status,
                body,
                entry.get("type", "text/html; charset=utf-8"),
                {**extra, **{k: str(v) for k, v in (entry.get("headers") or {}).items()}},
                entry.get("first"),
                entry.get("truncate"),
                bool(entry.get("gzip", True)),
            )
    return routes


TRAPS: list[re.Pattern[str]] = []
GENERATORS: list[tuple[re.Pattern[str], object]] = []


class ReplayCA:
    """The replay's own certificate authority, made at start: it signs a certificate for
    each host the crawler asks for (by SNI). The crawler verifies certificates, so the
    replay's clients trust this CA, and only it, by SSL_CERT_FILE (written next to the
    port file): an explicit trust for the test, not verification turned off."""

    def __init__(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newsarchive replay CA")])
        now = datetime.datetime.now(datetime.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(self.name)
            .issuer_name(self.name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )

    def pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.cert.public_bytes(serialization.Encoding.PEM)

    def context(self, hostname: str) -> ssl.SSLContext:
        """A server context with a certificate for ``hostname``, signed by this CA."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)]))
            .issuer_name(self.name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as tmp:
            cert_path, key_path = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
            cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + self.pem())
            key_path.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            context.load_cert_chain(cert_path, key_path)
        return context


class ReplayProxy:
    def __init__(
        self, routes: dict[str, Route], *, verbose: bool = False, conditional: bool = True
    ) -> None:
        self.routes = routes
        self.verbose = verbose
        self.conditional = conditional
        self.delay = 0.0
        self.ca = ReplayCA()
        self.tls = self.ca.context("replay.invalid")
        self.tls.sni_callback = self._sni
        self._contexts: dict[str, ssl.SSLContext] = {}
        self.served: dict[str, int] = {}

    def _sni(self, sock: ssl.SSLObject, server_name: str | None, _context) -> None:
        if server_name:
            if server_name not in self._contexts:
                self._contexts[server_name] = self.ca.context(server_name)
            sock.context = self._contexts[server_name]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._serve(reader, writer, base=None)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _read_head(self, reader) -> tuple[str, dict[str, str]] | None:
        line = await reader.readline()
        if not line:
            return None
        headers = {}
        while True:
            raw = await reader.readline()
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return line.decode("latin-1").strip(), headers

    async def _serve(self, reader, writer, base: str | None) -> None:
        while True:
            head = await self._read_head(reader)
            if head is None:
                return
            request_line, headers = head
            method, target, _version = [*request_line.split(" "), "", ""][:3]
            if int(headers.get("content-length", "0") or 0):
                await reader.readexactly(int(headers["content-length"]))
            if method == "CONNECT":
                host = target.rsplit(":", 1)[0]
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
                await writer.start_tls(self.tls)
                await self._serve(reader, writer, base=f"https://{host}")
                return
            url = target if base is None else base + target
            if self.delay:
                await asyncio.sleep(self.delay)
            self._respond(writer, method, url, headers)
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                return

    def _respond(self, writer, method: str, url: str, headers: dict[str, str]) -> None:
        route = self.routes.get(url)
        if len(headers.get("cookie", "")) > 8192:  # as nginx and Apache answer
            route = Route(
                400, b"<html><body>Request Header Or Cookie Too Large</body></html>", "text/html"
            )
        for pattern, make in GENERATORS:
            match = pattern.match(url) if route is None else None
            if match:
                body, content_type = make(url, match)
                route = Route(200, body, content_type)
        for trap in TRAPS:
            match = trap.match(url) if route is None else None
            if match:
                route = Route(200, trap_page(url, int(match.group(1))), "text/html; charset=utf-8")
        if route is None:
            route = Route(
                404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html; charset=utf-8"
            )
        self.served[url] = self.served.get(url, 0) + 1
        if route.first and self.served[url] <= int(route.first.get("times", 1)):
            route = Route(
                int(route.first["status"]),
                b"",
                "text/html",
                {k: str(v) for k, v in (route.first.get("headers") or {}).items()},
            )
        if self.verbose:
            print(f"{route.status} {method} {url}", file=sys.stderr, flush=True)
        body = route.body
        out = {
            "Date": formatdate(usegmt=True),
            "Server": "newsarchive-replay",
            "Content-Type": route.content_type,
        }
        if self.conditional and route.status == 200:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            out["ETag"] = etag
            if headers.get("if-none-match") == etag:
                lines = [
                    "HTTP/1.1 304 Not Modified",
                    f"ETag: {etag}",
                    f"Date: {out['Date']}",
                    "Server: newsarchive-replay",
                    "Content-Length: 0",
                ]
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
                return
        if (
            route.gzip
            and "gzip" in headers.get("accept-encoding", "")
            and len(body) > 256
            and "content-encoding" not in {k.lower() for k in route.headers}
        ):
            # Level 1: the replay stands in for servers on other machines, and its CPU
            # time here is taken from the crawler being measured (make bench).
            body = gzip.compress(body, compresslevel=1, mtime=0)
            out["Content-Encoding"] = "gzip"
            out["Vary"] = "Accept-Encoding"
        out.update(route.headers)
        out["Content-Length"] = str(len(body))
        reason = (
            HTTPStatus(route.status).phrase if route.status in HTTPStatus._value2member_map_ else ""
        )
        lines = [f"HTTP/1.1 {route.status} {reason}"] + [f"{k}: {v}" for k, v in out.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if method != "HEAD":
            writer.write(body if route.truncate is None else body[: route.truncate])
        if route.truncate is not None:
            raise ConnectionResetError("truncated on purpose")


def ca_file(port_file: Path) -> Path:
    """Where the replay writes its CA certificate: beside its port file."""
    return port_file.with_name(port_file.name + ".ca.pem")


async def serve(
    routes: dict[str, Route],
    host: str,
    port: int,
    port_file: Path | None,
    verbose: bool,
    conditional: bool = True,
    delay: float = 0.0,
) -> None:
    proxy = ReplayProxy(routes, verbose=verbose, conditional=conditional)
    proxy.delay = delay
    server = await asyncio.start_server(proxy.handle, host, port)
    bound = server.sockets[0].getsockname()[1]
    if port_file:
        port_file.parent.mkdir(parents=True, exist_ok=True)
        ca_file(port_file).write_bytes(proxy.ca.pem())  # before the port: clients wait for it
        port_file.write_text(str(bound))
    print(
        f"replay: {len(routes)} URLs on http://{host}:{bound} "
        f"(set http_proxy and https_proxy to it)",
        flush=True,
    )
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--routes", type=Path, action="append", help="route table (YAML); repeat to overlay changes"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", type=Path, help="write the bound port here")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.add_argument(
        "--no-conditional",
        action="store_true",
        help="never answer 304: ignore If-None-Match, send no ETag",
    )
    parser.add_argument(
        "--delay",
        type=float,
        default=0.0,
        help="seconds to wait before each answer",
    )
    args = parser.parse_args(argv)
    routes = load_routes(args.routes or [DEFAULT_ROUTES])
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                routes,
                args.host,
                args.port,
                args.port_file,
                args.verbose,
                not args.no_conditional,
                args.delay,
            )
        )


if __name__ == "__main__":
    main()
