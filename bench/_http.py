"""The HTTP clients the benchmark needs besides wrk: single requests whose bytes it checks or
weighs, the parser that finds a page's CSS and JS, and slow video viewers."""

import gzip
import http.client
import re
import socket
import threading
from html.parser import HTMLParser

import brotli

SLOW_READ_BYTES = 64 * 1024
SLOW_PAUSE_SECONDS = 0.25  # 64 KiB every quarter second: a 2 Mbit/s phone
SLOW_RECEIVE_BUFFER = 16 * 1024


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    """GET `path` from 127.0.0.1; the body as it came over the wire (not decompressed)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def decoded(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    return body


class SlowStreams:
    """Slow viewers of a video: each keeps one keep-alive connection with a small receive
    buffer, reads 64 KiB, pauses, and asks again when the file ends."""

    def __init__(self, port: int, path: str, count: int) -> None:
        self.address = ("127.0.0.1", port)
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: keep-alive\r\n\r\n"
        ).encode()
        self.connected = [False] * count
        self.received = [0] * count
        self.errors: list[str] = []
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._client, args=(index,), daemon=True)
            for index in range(count)
        ]

    def __enter__(self) -> "SlowStreams":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)

    @property
    def receiving(self) -> int:
        return sum(1 for count in self.received if count)

    def _recv(self, sock: socket.socket, size: int) -> bytes:
        # A connection the server has not started on yet just waits, which is no error.
        while not self.stopping.is_set():
            try:
                data = sock.recv(size)
            except TimeoutError:
                continue
            if not data:
                raise ConnectionError("the server closed the connection")
            return data
        return b""

    def _client(self, index: int) -> None:
        while not self.stopping.is_set():
            try:
                with socket.socket() as sock:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SLOW_RECEIVE_BUFFER)
                    sock.settimeout(1.0)
                    sock.connect(self.address)
                    self.connected[index] = True
                    while not self.stopping.is_set():
                        sock.sendall(self.request)
                        self._read_response(sock, index)
            except OSError as error:
                if not self.stopping.is_set():
                    self.errors.append(f"client {index}: {error!r}")
                    self.stopping.wait(0.5)

    def _read_response(self, sock: socket.socket, index: int) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            if not (data := self._recv(sock, 4096)):
                return
            head += data
        head, body = head.split(b"\r\n\r\n", 1)
        status = int(head.split(b" ", 2)[1])
        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        if status != 200 or length is None:
            raise ConnectionError(f"status {status}, Content-Length {length}")
        length = int(length[1])
        self.received[index] += len(body)
        remaining = length - len(body)
        while remaining > 0:
            portion = 0
            while portion < SLOW_READ_BYTES and remaining > 0:
                data = self._recv(sock, min(SLOW_READ_BYTES - portion, remaining))
                if not data:
                    return
                portion += len(data)
                remaining -= len(data)
                self.received[index] += len(data)
            if self.stopping.wait(SLOW_PAUSE_SECONDS):
                return


class AssetParser(HTMLParser):
    """The stylesheets, module preloads and scripts a page makes the browser fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        rel = (attributes.get("rel") or "").lower().split()
        if tag == "link" and ("stylesheet" in rel or "modulepreload" in rel):
            url = attributes.get("href")
        elif tag == "script":
            url = attributes.get("src")
        else:
            return
        if url and url not in self.urls:
            self.urls.append(url)
