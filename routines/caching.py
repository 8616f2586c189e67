"""The page cache for visitors, kept correct by one site-wide content version.

Anonymous visitors see the same page at the same address, so a rendered page is kept and
served again (already compressed) until content changes. Any save or delete of content bumps
the content version, which every cache key contains, so no page outlives the data it shows;
a change that comes with time (a scheduled post going live) bumps it when it falls due. The
few values that differ per visitor inside a shared page (the CSRF token, the comment form's
signed time) are holes: cut out when the page is stored, filled in afresh for each visitor.

The blog uses this module too; it lives here because routines is the bottom layer.
"""

import gzip
import hashlib
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import brotli
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.http import split_header_value

VERSION_KEY = "psoasapp:content-version"

# Functions saying when published content next changes with nobody saving anything (a
# scheduled post appears, a post stops taking comments), or None. Apps add theirs in ready().
timed_changes: list[Callable[[], datetime | None]] = []

BROTLI_QUALITY = 6  # about 1 ms for a 20 KB page, paid once per stored page
GZIP_LEVEL = 6
HOLES_BROTLI_QUALITY = 1  # compressed for each visitor, so the fastest setting
ACCEPTS_BROTLI = re.compile(r"\bbr\b")
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


# The content version ------------------------------------------------------------------


@dataclass(frozen=True)
class ContentVersion:
    token: str
    valid_until: float = 0.0  # Unix time of the next timed change; 0 when none is due

    @property
    def is_current(self) -> bool:
        return not self.valid_until or time.time() < self.valid_until

    def dumps(self) -> str:
        return f"{self.token} {self.valid_until!r}"

    @classmethod
    def loads(cls, text: str) -> "ContentVersion | None":
        token, _, until = text.strip().partition(" ")
        try:
            return cls(token, float(until or 0)) if token else None
        except ValueError:
            return None


def _version_file() -> Path | None:
    """Where the version is kept when the cache is local to each process; None otherwise.

    A local-memory cache is one per worker process, so a change saved in one of them (or in
    the task worker) reaches the others through a small file they share. A shared cache
    (Redis) holds the version itself, for every machine.
    """
    if isinstance(caches["default"], LocMemCache):
        return Path(settings.PSOASAPP_CONTENT_VERSION_FILE)
    return None


_version_files: dict[Path, tuple[tuple[int, int, int], ContentVersion | None]] = {}


def _read_version() -> ContentVersion | None:
    path = _version_file()
    if path is None:
        text = cache.get(VERSION_KEY)
        return ContentVersion.loads(text) if isinstance(text, str) else None
    try:
        # Every bump moves a new file into place, so a file with the same inode, size and
        # time is the one read before: one stat per request instead of reading it again.
        stat = os.stat(path)
        stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if (known := _version_files.get(path)) and known[0] == stamp:
            return known[1]
        version = ContentVersion.loads(path.read_text())
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    _version_files[path] = (stamp, version)
    return version


def _write_version(version: ContentVersion) -> None:
    path = _version_file()
    if path is None:
        cache.set(VERSION_KEY, version.dumps(), timeout=None)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # A new file moved into place, so a reader never sees half of one.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".content-version-")
    with os.fdopen(fd, "w") as file:
        file.write(version.dumps())
    os.replace(temporary, path)


def _next_timed_change() -> float:
    due = [when for change in timed_changes if (when := change()) is not None]
    return min(due).timestamp() if due else 0.0


def content_version() -> str:
    """The token that changes whenever what visitors see may have changed."""
    version = _read_version()
    if version is None or not version.is_current:
        version = _bump()
    return version.token


def _bump() -> ContentVersion:
    version = ContentVersion(secrets.token_hex(8), _next_timed_change())
    _write_version(version)
    return version


def content_changed(**signal_kwargs) -> None:
    """Invalidate every stored page now, and again once the current transaction commits.

    Now, so that the rest of the transaction (and a test, whose transaction never commits)
    sees fresh pages; again at the commit, because a page another request renders between
    the save and the commit shows the old rows under the new version. Connected to the save
    and delete signals of content models, and called by the few writes that bypass them.
    """
    _bump()
    transaction.on_commit(_bump, robust=True)


# Holes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hole:
    """A value inside a shared page that each visitor must get their own of.

    `pattern` finds it in a rendered page (group 1 is the value); `fill` makes the value
    for the visitor being served, given the one the page was rendered with when
    `keep_value` is set (else "": a visitor's own token is not kept in the cache).
    """

    pattern: re.Pattern[str]
    fill: Callable[[HttpRequest, str], str]
    keep_value: bool = False


CSRF_TOKEN = Hole(
    re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"'),
    lambda request, value: get_token(request),
)


# Stored pages ---------------------------------------------------------------------------

# Headers a stored page is served with come from its first response, except these, which
# belong to one response only or are worked out again.
NOT_STORED_HEADERS = {"content-length", "content-encoding", "date", "server"}


@dataclass(frozen=True)
class StoredPage:
    """A rendered page: text, with (hole index, value) pairs where its holes were.

    A page without holes is kept compressed as well, so that serving it costs nothing but
    the lookup; a page with holes is filled in and compressed for each visitor.
    """

    headers: tuple[tuple[str, str], ...]
    parts: tuple[str | tuple[int, str], ...]
    compressed: dict[str, bytes]
    personal_cookies: tuple[str, ...] = ()

    @property
    def has_holes(self) -> bool:
        return len(self.parts) > 1

    def is_personal_for(self, request: HttpRequest) -> bool:
        return any(name in request.COOKIES for name in self.personal_cookies)

    @classmethod
    def from_response(
        cls, response: HttpResponse, holes: Sequence[Hole], personal_cookies: Sequence[str]
    ) -> "StoredPage":
        text = response.content.decode(response.charset)
        parts: list[str | tuple[int, str]] = []
        position = 0
        if holes:
            combined = re.compile("|".join(f"(?:{hole.pattern.pattern})" for hole in holes))
            for match in combined.finditer(text):
                index = next(i for i, value in enumerate(match.groups()) if value is not None)
                start, end = match.span(index + 1)
                value = match[index + 1] if holes[index].keep_value else ""
                parts += [text[position:start], (index, value)]
                position = end
        parts.append(text[position:])
        compressed = {}
        if len(parts) == 1:
            body = text.encode(response.charset)
            compressed = {
                "br": brotli.compress(body, quality=BROTLI_QUALITY),
                "gzip": gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0),
            }
        headers = tuple(
            (name, value)
            for name, value in response.items()
            if name.lower() not in NOT_STORED_HEADERS
        )
        return cls(headers, tuple(parts), compressed, tuple(personal_cookies))

    def response(self, request: HttpRequest, holes: Sequence[Hole] = ()) -> HttpResponse:
        """The page for this visitor, compressed if they accept it.

        A page with holes is filled in, then compressed with brotli's fastest setting: about
        0.3 ms for a 180 KB post with 200 comments where gzip takes 1.3 ms, and smaller. It
        holds no secret of the visitor's (the CSRF token is masked afresh), so BREACH needs
        no padding here.
        """
        if encoding := accepted_encoding(request, self.compressed):
            response = HttpResponse(self.compressed[encoding])
            response["Content-Encoding"] = encoding
        else:
            text = "".join(
                part if isinstance(part, str) else holes[part[0]].fill(request, part[1])
                for part in self.parts
            )
            response = HttpResponse(text)
            if self.has_holes and accepted_encoding(request, ("br",)):
                response.content = brotli.compress(response.content, quality=HOLES_BROTLI_QUALITY)
                response["Content-Encoding"] = "br"
        for name, value in self.headers:
            response[name] = value
        patch_vary_headers(response, ["Accept-Encoding"])
        response["Content-Length"] = str(len(response.content))
        return response


def accepted_encoding(request: HttpRequest, available) -> str:
    """The best of `available` ("br", "gzip") the client accepts, or ""."""
    accept = request.headers.get("Accept-Encoding", "")
    if "br" in available and ACCEPTS_BROTLI.search(accept):
        return "br"
    if "gzip" in available and ACCEPTS_GZIP.search(accept):
        return "gzip"
    return ""


# Serving and storing pages --------------------------------------------------------------


def page_cache_applies(request: HttpRequest) -> bool:
    """Whether this request may be answered from (and stored in) the page cache.

    Only for anonymous visitors with nothing of their own to see: no session (signed-in
    staff, a commenter's pending comments) and no message waiting in a cookie.
    """
    return (
        settings.PSOASAPP_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def page_key(request: HttpRequest) -> str:
    address = hashlib.md5(request.build_absolute_uri().encode(), usedforsecurity=False)
    return f"psoasapp:page:{content_version()}:{address.hexdigest()}"


@dataclass
class PageLookup:
    """What the middleware found for this request, and what the view asks it to store."""

    key: str
    found: StoredPage | None
    holes: Sequence[Hole] = ()
    personal_cookies: Sequence[str] = ()
    store: bool = False


class PageCacheMiddleware:
    """Answer a stored page before the per-visitor middleware below this one runs.

    A page with holes needs that middleware (CSRF) to fill them, so it is left to its view,
    with what was found. The middleware stores what a CachedPageMixin view asked for, on the
    way out, when the response is one every anonymous visitor may get: so the stored
    headers are the final ones (CSP, X-Frame-Options, Vary). Put it after the compression
    middleware and before the session middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not page_cache_applies(request):
            return self.get_response(request)
        # The version is read before the view's queries run, so a page stored under it
        # never holds rows older than the version.
        lookup = PageLookup(page_key(request), None)
        page = cache.get(lookup.key)
        if page is not None and not page.is_personal_for(request):
            if not page.has_holes:
                return page.response(request)
            lookup.found = page
        request.page_lookup = lookup
        response = self.get_response(request)
        if lookup.store and is_shared(request, response):
            page = StoredPage.from_response(response, lookup.holes, lookup.personal_cookies)
            cache.set(lookup.key, page, timeout=settings.PSOASAPP_PAGE_CACHE_SECONDS)
        return response


class CachedPageMixin:
    """For a generic view whose page is the same for every anonymous visitor at one address.

    `page_holes` are the values each visitor gets their own of; a visitor who has one of
    `personal_cookies` sees something of their own and is neither served nor stored.
    """

    page_holes: Sequence[Hole] = (CSRF_TOKEN,)
    personal_cookies: Sequence[str] = ()

    def dispatch(self, request, *args, **kwargs):
        lookup: PageLookup | None = getattr(request, "page_lookup", None)
        if lookup is None or any(name in request.COOKIES for name in self.personal_cookies):
            return super().dispatch(request, *args, **kwargs)
        if lookup.found is not None:
            response = lookup.found.response(request, self.page_holes)
        else:
            response = super().dispatch(request, *args, **kwargs)
            lookup.holes, lookup.personal_cookies = self.page_holes, self.personal_cookies
            lookup.store = True
        patch_vary_headers(response, ["Cookie"])
        return response


def is_shared(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether `response` is one any anonymous visitor may be given as it is.

    No cookie of its own (the CSRF cookie is a hole's), no nonce used (the CSP header would
    carry it), and nothing that says it is personal.
    """
    return (
        response.status_code == 200
        and not response.streaming
        and not response.has_header("Content-Encoding")
        and not (set(response.cookies) - {settings.CSRF_COOKIE_NAME})
        and not getattr(request, "_csp_nonce", None)
        and not is_private(response)
    )


def is_private(response: HttpResponseBase) -> bool:
    """Whether the response says it is for one visitor only (private, or not to be stored)."""
    directives = {
        directive.split("=", 1)[0].strip().lower()
        for directive in split_header_value(response.get("Cache-Control", ""))
    }
    return bool(directives & {"private", "no-store"})
