"""Measure the gunicorn worker's memory while a 1 GB video is uploaded through the admin form.

A signed-in admin posts a real 1 GiB video (raw 1080p frames in Matroska, made in a few
seconds) to the Video add page of a temporary site, served by gunicorn with the project's
gunicorn.conf.py and one worker, as `make run` serves it (DEBUG off). The request streams
the file from disk in 1 MiB pieces. While it goes up, and while the form probes the file and
saves it, the worker's resident memory is sampled; its peak (VmHWM) must stay under 150 MB.

Run: .venv/bin/python bench/bench_upload_memory.py [--megabytes 1024]
"""

import argparse
import http.client
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import av
from _common import (
    BASE_DIR,
    CHUNK,
    free_port,
    proc_status_mib,
    site_env,
    stop,
    wait_until_serving,
    worker_pids,
)

LIMIT_MIB = 150


def make_video(path: Path, megabytes: int) -> None:
    """Uncompressed 1080p frames in Matroska: a valid, seekable video of the wanted size."""
    width, height = 1920, 1080
    frame_bytes = width * height * 3 // 2
    frames = max(2, megabytes * 1024 * 1024 // frame_bytes)
    with av.open(str(path), "w", format="matroska") as container:
        stream = container.add_stream("rawvideo", rate=25)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        frame = av.VideoFrame(width, height, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes([128]) * plane.buffer_size)
        for index in range(frames):
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def sign_in(port: int, csrf: str) -> str:
    """Log in as the bench's admin; returns the session cookie."""
    body = f"csrfmiddlewaretoken={csrf}&username=bench&password=bench-password-123"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST",
        "/admin/login/?next=/admin/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
        },
    )
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"login answered {response.status}")
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("sessionid="):
            return value.split(";", 1)[0]
    raise RuntimeError("login set no session cookie")


def upload(port: int, csrf: str, session: str, video: Path) -> tuple[int, str, float]:
    """POST the add form with the video streamed from disk; returns status, location, seconds."""
    boundary = "bench" + secrets.token_hex(8)
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{csrf}\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="title"\r\n\r\nA large upload\r\n'
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="original"; filename="{video.name}"\r\n'
        "Content-Type: video/x-matroska\r\n\r\n"
    ).encode()
    tail = (
        f"\r\n--{boundary}\r\n"
        'Content-Disposition: form-data; name="_save"\r\n\r\nSave\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    length = len(head) + video.stat().st_size + len(tail)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.monotonic()
    connection.putrequest("POST", "/admin/routines/video/add/")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(length))
    connection.putheader("Cookie", f"csrftoken={csrf}; {session}")
    connection.endheaders()
    connection.send(head)
    with video.open("rb") as file:
        while chunk := file.read(CHUNK):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    response.read()
    return response.status, response.getheader("Location", ""), time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=1024)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        root = Path(tmp)
        video = root / "big-upload.mkv"
        began = time.monotonic()
        make_video(video, args.megabytes)
        size_mib = video.stat().st_size / 2**20
        print(
            f"video: {size_mib:.0f} MiB of raw 1080p frames in Matroska "
            f"(made in {time.monotonic() - began:.0f} s)"
        )

        port = free_port()
        env = site_env(
            root,
            DJANGO_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            HOST="127.0.0.1",
            PORT=str(port),
            GUNICORN_WORKERS="1",  # one worker: its memory is every request's
        )
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(
            env,
            "shell",
            "-v",
            "0",
            "-c",
            "from django.contrib.auth.models import User; "
            "User.objects.create_superuser('bench', 'b@example.org', 'bench-password-123')",
        )

        log = root / "gunicorn.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "psoasapp.wsgi"],
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until_serving(server, port, log)
            worker = worker_pids(server.pid)[0]
            csrf = secrets.token_hex(16)  # Django takes a well-formed token the client chose
            session = sign_in(port, csrf)
            before = proc_status_mib(worker)

            samples: list[float] = []
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    samples.append(proc_status_mib(worker))
                    done.wait(0.02)

            sampler = threading.Thread(target=sample)
            sampler.start()
            try:
                status, location, seconds = upload(port, csrf, session, video)
            finally:
                done.set()
                sampler.join()
            peak = proc_status_mib(worker, "VmHWM")
        finally:
            stop(server, timeout=30)

        if status != 302:
            print(
                f"FAILED: the upload answered {status}, not a redirect:\n{log.read_text()[-3000:]}"
            )
            return 1
        stored = [p for p in (root / "media").rglob("*") if p.is_file()]
        leftovers = [p for p in (root / "var" / "uploads").rglob("*") if p.is_file()]
        print(
            f"upload: {status} -> {location} in {seconds:.1f} s "
            f"({size_mib / seconds:.0f} MiB/s); stored {[p.name for p in stored]}, "
            f"temporary files left: {len(leftovers)}"
        )
        print(
            f"worker RSS: {before:.0f} MiB before, {max(samples):.0f} MiB highest sample "
            f"({len(samples)} samples), peak (VmHWM) {peak:.0f} MiB"
        )
        verdict = "OK" if peak < LIMIT_MIB else "TOO HIGH"
        print(
            f"peak {peak:.0f} MiB for a {size_mib:.0f} MiB upload "
            f"(limit {LIMIT_MIB} MiB): {verdict}"
        )
        return 0 if peak < LIMIT_MIB else 1


if __name__ == "__main__":
    sys.exit(main())
