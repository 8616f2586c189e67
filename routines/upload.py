"""Uploads stream to a temporary file, and one over the size limit is dropped as it arrives.

Django writes any upload bigger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file, so a
video never sits in memory; this handler also stops writing a file once it passes
PSOASAPP_VIDEO_MAX_UPLOAD_BYTES (or at once, when Content-Length already says the request
is too big), and hands the form a RefusedUpload that explains the refusal. Each file it
writes is locked while its request lives, so the reaper can clear away the ones whose worker
was killed mid-upload (upload_remove_abandoned).
"""

import fcntl
import io
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from .video import format_size

# Room for the poster, the captions and the form fields beside the video in one request.
OTHER_PARTS_ALLOWANCE_BYTES = 32 * 1024 * 1024


class RefusedUpload(UploadedFile):
    """Stands in for an uploaded file that was too big to keep: none of it was stored."""

    def __init__(self, name: str, size: int, *, limit: int, request_size: int | None = None):
        super().__init__(file=io.BytesIO(), name=name, content_type=None, size=size)
        self.limit = limit
        self.request_size = request_size

    @property
    def message(self) -> str:
        if self.size > self.limit:
            return upload_too_large_message(self.size, self.limit)
        # Small itself, but sent in a request too big to take any file from.
        return (
            f"The upload as a whole was {format_size(self.request_size or self.size)}, "
            f"over the {format_size(self.limit)} limit, so this file was not kept either. "
            "Please choose it again."
        )


def upload_too_large_message(size: int, limit: int) -> str:
    return f"This file is {format_size(size)}; the limit is {format_size(limit)}."


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Write each file to a temporary file, up to the limit; beyond it, only count its bytes."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.PSOASAPP_VIDEO_MAX_UPLOAD_BYTES
        self.request_size = None
        self.request_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # A body bigger than the limit plus the small parts must carry an oversized file:
        # store no large file from it at all, not even its first two gigabytes.
        self.request_size = content_length
        self.request_too_large = content_length > self.limit + OTHER_PARTS_ALLOWANCE_BYTES

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        # Held until the file is closed, by the request or by the kernel when the worker
        # dies: an unlocked file in FILE_UPLOAD_TEMP_DIR belongs to no live request.
        fcntl.flock(self.file.fileno(), fcntl.LOCK_EX)
        self.refused = False

    def receive_data_chunk(self, raw_data, start):
        received = start + len(raw_data)
        threshold = OTHER_PARTS_ALLOWANCE_BYTES if self.request_too_large else self.limit
        if not self.refused and received > threshold:
            self.refused = True
            self.file.close()  # deletes what was written so far
        if self.refused:
            # Django counts the bytes for file_complete(); we drop them.
            return None
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        if self.refused:
            return RefusedUpload(
                self.file_name, file_size, limit=self.limit, request_size=self.request_size
            )
        return super().file_complete(file_size)


def upload_remove_abandoned(*, older_than: timedelta = timedelta(minutes=1)) -> list[Path]:
    """Delete the temporary files of uploads whose worker died; return what was removed.

    Django removes an upload's file when its request ends, even a broken one, but a worker
    killed mid-upload (SIGKILL, the OOM killer, gunicorn's timeout) leaves a partial file in
    FILE_UPLOAD_TEMP_DIR for good. A live request holds its file's lock; the age check covers
    a file created a moment ago and not locked yet.
    """
    upload_dir = Path(settings.FILE_UPLOAD_TEMP_DIR)
    if not upload_dir.is_dir():
        return []
    cutoff = time.time() - older_than.total_seconds()
    removed = []
    # Django's temporary files are named tmp<random>.upload<extension>.
    for path in upload_dir.glob("*.upload*"):
        try:
            if not path.is_file() or path.stat().st_mtime >= cutoff:
                continue
            with path.open("rb") as file:
                try:
                    fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a request is still writing or reading it
                path.unlink()
        except FileNotFoundError:
            continue  # its request finished meanwhile
        removed.append(path)
    return removed
