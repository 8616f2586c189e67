"""Serve stored files (videos, posters, captions, images) with HTTP Range support.

Django's FileResponse ignores Range, and browsers cannot seek in an MP4 without it.
"""

import errno
import functools
import io
import mimetypes
import os
import re
from contextlib import ExitStack
from typing import BinaryIO

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.utils.cache import get_conditional_response
from django.utils.http import (
    content_disposition_header,
    http_date,
    parse_http_date_safe,
    quote_etag,
)
from django.views.decorators.http import require_safe

from .storage import local_path

# A replaced upload gets a new generated name, so caches never serve stale
# bytes; an hour still keeps a file that was taken down from lingering in them.
CACHE_CONTROL = "public, max-age=3600"

# Browsers refuse captions and some video unless the type is exact (nosniff is
# on), and hosts' mime.types files disagree, so these do not depend on the host.
CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".vtt": "text/vtt",
    ".webp": "image/webp",
}

# Uploads a browser may show in place. Anything else (HTML and SVG, which can carry scripts,
# included) is sent as an opaque download, whatever its name says.
INLINE_CONTENT_TYPES = frozenset(
    {
        "video/mp4",
        "video/webm",
        "video/quicktime",
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
        "text/vtt",
    }
)

# Nineteen digits exceed any real file size yet stay far below the length at
# which int() refuses to parse; longer numbers make the header malformed.
BYTE_RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})", re.ASCII | re.IGNORECASE)

# The request headers get_conditional_response() looks at; most requests (a video seek) send
# none, and are spared building the response it compares against.
CONDITIONAL_HEADERS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
)

# Only used when there is no sendfile (runserver, ASGI, the test client):
# fewer, larger reads than FileResponse's 4 KiB default.
BLOCK_SIZE = 64 * 1024


class FileSlice:
    """A binary file that reads only bytes [start, stop), positioned at start.

    FileResponse reads it block by block where there is no sendfile. gunicorn's
    sendfile bypasses read() and sends Content-Length bytes from the descriptor's
    current offset, which is why the underlying file must be unbuffered.
    Positions are offsets in the whole file, as socket.sendfile() expects.
    """

    def __init__(self, file: BinaryIO, byte_range: range) -> None:
        self.file = file
        self.start = byte_range.start
        self.stop = byte_range.stop
        file.seek(self.start)

    def fileno(self) -> int:
        return self.file.fileno()

    def read(self, size: int = -1) -> bytes:
        remaining = max(self.stop - self.file.tell(), 0)
        if size < 0 or size > remaining:
            size = remaining
        return self.file.read(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        # FileResponse measures the body by seeking to the end; the end is ours.
        if whence == io.SEEK_END:
            return self.file.seek(self.stop + offset)
        return self.file.seek(offset, whence)

    def tell(self) -> int:
        return self.file.tell()

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        self.file.close()

    @property
    def closed(self) -> bool:
        return self.file.closed


def guess_content_type(path: str | os.PathLike[str]) -> str:
    name = os.path.basename(path)
    if content_type := CONTENT_TYPES.get(os.path.splitext(name)[1].lower()):
        return content_type
    content_type, encoding = mimetypes.guess_type(name)
    # A compressed file (.gz) is served as it is stored, not as what it unpacks to.
    if content_type is None or encoding is not None:
        return "application/octet-stream"
    return content_type


def parse_byte_range(header: str, size: int) -> range | None:
    """The single byte range a Range header asks for, clipped to the file.

    None means the header is to be ignored (malformed, another unit, or several
    ranges, which RFC 9110 lets us answer with the whole file); an empty range
    means nothing in it can be satisfied.
    """
    match = BYTE_RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if first:
        if last and int(last) < int(first):
            return None
        stop = int(last) + 1 if last else size
        return range(int(first), min(stop, size))
    if last:
        return range(max(size - int(last), 0), size)
    return None


def if_range_matches(value: str, *, etag: str, last_modified: int) -> bool:
    """Whether If-Range names the current representation (RFC 9110 §13.1.5)."""
    value = value.strip()
    if value.startswith(('"', "W/")):
        # Strong comparison: our ETag is strong, so a weak one never equals it.
        return value == etag
    return parse_http_date_safe(value) == last_modified


def requested_range(
    request: HttpRequest, *, size: int, etag: str, last_modified: int
) -> range | None:
    """The byte range to send, None for the whole file (see parse_byte_range)."""
    range_header = request.headers.get("Range")
    # Range is defined for GET only, so HEAD always describes the whole file.
    if request.method != "GET" or not range_header:
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and not if_range_matches(
        if_range, etag=etag, last_modified=last_modified
    ):
        return None
    return parse_byte_range(range_header, size)


def ranged_file_response(
    request: HttpRequest, path: str | os.PathLike[str], *, content_type: str | None = None
) -> HttpResponseBase:
    """Answer GET or HEAD for a local file: 200, 206, 304, 412 or 416."""
    with ExitStack() as stack:
        file = stack.enter_context(open(path, "rb", buffering=0))
        response = file_response(request, file, content_type or guess_content_type(path))
        if isinstance(response, FileResponse):
            # The response closes the file once the body has been sent.
            stack.pop_all()
    return response


def file_response(request: HttpRequest, file: BinaryIO, content_type: str) -> HttpResponseBase:
    # Validators come from the open file, so they describe the bytes sent even
    # if the path is replaced meanwhile.
    stat = os.fstat(file.fileno())
    size = stat.st_size
    last_modified = int(stat.st_mtime)
    etag = quote_etag(f"{size:x}-{stat.st_mtime_ns:x}")
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": CACHE_CONTROL,
    }

    if any(name in request.META for name in CONDITIONAL_HEADERS):
        # Django evaluates If-Match, If-Unmodified-Since, If-None-Match and
        # If-Modified-Since in RFC order, and copies the validators onto a 304.
        validators = HttpResponse(headers=headers)
        conditional = get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=validators
        )
        if conditional is not validators:
            conditional.headers["Accept-Ranges"] = "bytes"
            return conditional

    byte_range = requested_range(request, size=size, etag=etag, last_modified=last_modified)
    if byte_range is None:
        status, byte_range = 200, range(size)
    elif not byte_range:
        return HttpResponse(
            status=416,
            headers={
                "Accept-Ranges": "bytes",
                "Content-Range": f"bytes */{size}",
                "Content-Length": "0",
            },
        )
    else:
        status = 206
        headers["Content-Range"] = f"bytes {byte_range.start}-{byte_range.stop - 1}/{size}"
    headers["Content-Length"] = str(len(byte_range))

    if request.method == "HEAD":
        # No file body, or runserver would read it all only to drop it.
        response = HttpResponse(status=status, content_type=content_type)
    else:
        response = FileResponse(
            FileSlice(file, byte_range), status=status, content_type=content_type
        )
        response.block_size = BLOCK_SIZE
    # Ours win over whatever FileResponse worked out for itself.
    for name, value in headers.items():
        response.headers[name] = value
    return response


def is_safe_name(name: str) -> bool:
    """Whether a requested media name is relative and has no dot segments or dotfiles."""
    return (
        "\x00" not in name
        and not name.startswith("/")
        and not any(part.startswith(".") for part in name.split("/"))
    )


# What opening a requested name raises when no stored file has it: nothing there, a folder, or
# a name longer than the file system allows. Anything else (a disk failing) is the server's.
NOT_A_FILE_ERRORS = frozenset({errno.ENOENT, errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG})


@functools.lru_cache(maxsize=8)
def real_root(location: str) -> str:
    """The media folder with symlinks resolved, worked out once per location."""
    return os.path.realpath(location)


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Serve an upload from the default storage: ranged locally, redirected from S3.

    Only the types in INLINE_CONTENT_TYPES are shown in place; the rest are downloads.
    """
    if not is_safe_name(path):
        raise Http404("No such file.")
    location = local_path(default_storage)
    if location is None:
        # Object storage has no local path: the client fetches a short-lived
        # presigned URL straight from it, Range requests included.
        return HttpResponseRedirect(default_storage.url(path))
    root = real_root(str(location))

    # realpath() follows symlinks, so one pointing out of the root ends up outside it.
    file_path = os.path.realpath(os.path.join(root, path))
    if not file_path.startswith(root + os.sep) or not is_safe_name(file_path[len(root) + 1 :]):
        raise Http404("No such file.")
    content_type = guess_content_type(file_path)
    inline = content_type in INLINE_CONTENT_TYPES
    try:
        response = ranged_file_response(
            request, file_path, content_type=content_type if inline else "application/octet-stream"
        )
    except OSError as error:
        if error.errno not in NOT_A_FILE_ERRORS:
            raise
        raise Http404("No such file.") from None
    if not inline:
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=os.path.basename(file_path)
        )
    return response


# A media response is a file, never a page: nothing in it may run or be framed, even an
# upload that a browser would render (HTML, SVG) if it were opened directly.
MEDIA_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Frame-Options": "DENY",
}


class MediaMiddleware:
    """Serve MEDIA_URL ahead of sessions, CSRF, authentication and messages.

    A file response uses none of them, and on a video seek their per-request cost is most
    of the time the server spends. Put it right after SecurityMiddleware, so the HTTPS
    redirect, HSTS and nosniff still apply to media.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = settings.MEDIA_URL

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path_info.startswith(self.prefix):
            return self.get_response(request)
        response = serve_media(request, request.path_info.removeprefix(self.prefix))
        for name, value in MEDIA_SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
