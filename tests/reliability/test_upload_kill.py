"""A gunicorn worker killed in the middle of a video upload leaves nothing behind.

The worker receiving a large upload in admin is SIGKILLed (as the OOM killer or gunicorn's
timeout would): the site keeps serving, no Video row or media file appears, and the partial
upload the dead worker left in the upload folder is removed by `manage.py reap_videos` (which
`make run` runs every minute), while an upload still arriving at that moment is left alone and
completes.
"""

import io
import os
import signal
import socket
import time
import uuid
from pathlib import Path

from PIL import Image

from tests.reliability.sites import (
    REQUEST_TIMEOUT,
    STAFF_USER_CODE,
    Visitor,
    form_fields,
    stopwatch,
    wait_for,
)
from tests.routines.test_video import write_clip

ADD_URL = "/admin/routines/video/add/"
KILLED_FILE_BYTES = 24 * 1024 * 1024
SENT_BEFORE_KILL = 8 * 1024 * 1024

VIDEOS = """
import json
from routines.models import Video

print(json.dumps([
    {"title": v.title, "files": [f.name for f in v.stored_files()]} for v in Video.objects.all()
]))
"""


def multipart(fields: list[tuple[str, str | tuple[str, bytes]]]) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it; its Content-Type."""
    boundary = f"----psoasapp{uuid.uuid4().hex}"
    body = io.BytesIO()
    for name, value in fields:
        body.write(f"--{boundary}\r\n".encode())
        if isinstance(value, tuple):
            filename, content = value
            body.write(
                f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n".encode()
            )
            body.write(content)
        else:
            body.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}'.encode())
        body.write(b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


class SlowUpload:
    """A POST over a raw socket, its body sent in as many pieces as the test likes."""

    def __init__(self, visitor: Visitor, path: str, fields):
        self.body, content_type = multipart(fields)
        self.sent = 0
        cookies = "; ".join(f"{k}={v}" for k, v in visitor.cookies.items())
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{visitor.server.port}\r\n"
            f"Origin: {visitor.origin}\r\nCookie: {cookies}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(self.body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        self.socket = socket.create_connection(
            ("127.0.0.1", visitor.server.port), timeout=REQUEST_TIMEOUT
        )
        self.socket.sendall(head.encode())

    def send_until(self, end: int) -> None:
        self.socket.sendall(self.body[self.sent : end])
        self.sent = max(self.sent, end)

    def answer(self) -> bytes:
        """Everything the server sends back until it closes the connection."""
        received = b""
        try:
            while data := self.socket.recv(65536):
                received += data
        except ConnectionResetError:
            pass
        finally:
            self.socket.close()
        return received


def upload_files(folder: Path, pattern: str = "*.upload*") -> list[Path]:
    return sorted(folder.glob(pattern))


def holder_of(path: Path, pids: list[int]) -> int | None:
    """Which of `pids` has `path` open."""
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        for fd in os.listdir(fd_dir):
            try:
                if os.readlink(fd_dir / fd) == str(path):
                    return pid
            except FileNotFoundError:
                continue
    return None


def noise_png(width: int = 1100, height: int = 1000) -> bytes:
    """A poster too big to keep in memory (about 3 MB: noise does not compress)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_worker_killed_mid_upload_leaves_no_row_no_file_and_no_partial_upload(
    make_site, report, tmp_path
):
    site = make_site()
    site.query(STAFF_USER_CODE + "print('{}')")
    server = site.start()
    staff = Visitor(server)
    staff.log_in()
    add_form = dict(form_fields(staff.get(ADD_URL).text, "video_form"))
    csrf = add_form["csrfmiddlewaretoken"]
    figures = {}

    # 1. The upload whose worker dies: a third of it has arrived when the kill comes.
    killed = SlowUpload(
        staff,
        ADD_URL,
        [
            ("csrfmiddlewaretoken", csrf),
            ("title", "Long class"),
            ("original", ("long-class.mov", os.urandom(KILLED_FILE_BYTES))),
            ("_save", "Save"),
        ],
    )
    killed.send_until(SENT_BEFORE_KILL)
    partial = wait_for(
        lambda: [p for p in upload_files(site.uploads) if p.stat().st_size >= 4 * 1024 * 1024],
        timeout=60,
        what="the upload to stream to a temporary file",
    )[0]
    worker = holder_of(partial, server.workers())
    assert worker is not None, "no gunicorn worker holds the upload open"
    with stopwatch(figures):
        os.kill(worker, signal.SIGKILL)
        assert killed.answer() == b"", "the client of a killed worker got an answer"
        # The master starts a new worker; the site answers all along.
        wait_for(
            lambda: len(pids := server.workers()) == 2 and worker not in pids,
            timeout=60,
            what="gunicorn to replace the killed worker",
        )
    figures["bytes_when_killed"] = partial.stat().st_size
    assert Visitor(server).get("/robots.txt").status == 200
    assert partial.exists(), "nothing was left behind, so there is nothing to test"

    # 2. An upload still arriving while the reaper runs: its files are locked, so kept.
    clip = write_clip(tmp_path / "lunge.mp4", size=(320, 180), seconds=2, audio=True)
    arriving = SlowUpload(
        staff,
        ADD_URL,
        [
            ("csrfmiddlewaretoken", csrf),
            ("title", "Morning lunge"),
            ("original", ("lunge.mp4", clip.read_bytes())),
            ("poster", ("lunge-poster.png", noise_png())),
            ("_save", "Save"),
        ],
    )
    arriving.send_until(len(arriving.body) - 1024 * 1024)
    live = wait_for(
        lambda: upload_files(site.uploads, "*.upload.png"),
        timeout=60,
        what="the second upload's poster to stream to a temporary file",
    )
    # Both are older than the reaper's --stale-after by now; only the lock tells them apart.
    wait_for(
        lambda: all(time.time() - p.stat().st_mtime > 1.5 for p in [partial, *live]),
        timeout=30,
        what="the upload files to age",
    )
    reaped = site.manage("reap_videos", "--stale-after", "1")
    assert f"Removed the partial upload {partial}" in reaped
    assert not partial.exists()
    assert all(path.exists() for path in live), "the reaper deleted an upload in progress"

    arriving.send_until(len(arriving.body))
    answer = arriving.answer()
    assert answer.startswith(b"HTTP/1.1 302"), answer[:2000]

    # 3. Every row has its files and every file its row; no upload is left in the folder.
    videos = site.query(VIDEOS)
    assert [video["title"] for video in videos] == ["Morning lunge"]
    stored = {name for video in videos for name in video["files"]}
    assert len(stored) == 2  # the original and the poster; the rest waits for the worker
    assert site.media_files() == stored
    assert upload_files(site.uploads) == []

    report(
        database=site.env["DATABASE_URL"].split(":", 1)[0],
        bytes_received_when_killed=figures["bytes_when_killed"],
        kill_to_new_worker_seconds=figures["seconds"],
        reaper_removed=reaped.count("Removed the partial upload"),
        video_rows=len(videos),
        media_files=len(stored),
    )
