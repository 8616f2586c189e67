"""Helpers the benchmarks share: free ports, the site's production environment, test files,
and starting, watching and stopping the servers they measure."""

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CHUNK = 1024 * 1024


def note(message: str) -> None:
    """Progress goes to stderr, so that stdout holds the report alone."""
    print(f"· {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment of a production-like site whose database, files and state live in `root`.

    DEBUG off and plain HTTP, as `make run` serves it; REDIS_URL is dropped so every run gets
    the same local-memory cache whatever the shell has set.
    """
    environment = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_SECRET_KEY": "bench-only-" + secrets.token_hex(24),
        "DJANGO_VAR_DIR": str(root / "var"),
        "DJANGO_MEDIA_ROOT": str(root / "media"),
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "DJANGO_LOG_LEVEL": "WARNING",
        **extra,
    }
    environment.pop("REDIS_URL", None)
    return environment


def write_random_file(path: Path, size: int) -> None:
    """`size` bytes that compress to nothing, so no layer can make serving them cheaper."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        for start in range(0, size, CHUNK):
            file.write(os.urandom(min(CHUNK, size - start)))


def proc_status_mib(pid: int, field: str = "VmRSS") -> float:
    """A memory figure from /proc/<pid>/status (VmRSS now, VmHWM at its peak), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def worker_pids(master: int, timeout: float = 30.0) -> list[int]:
    """The pids of a gunicorn master's workers, waiting until it has started one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return [int(pid) for pid in children]
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def wait_until_serving(
    process: subprocess.Popen,
    port: int,
    log: Path,
    *,
    path: str = "/",
    headers: dict[str, str] | None = None,
    expect_status: int | None = None,
    timeout: float = 30.0,
) -> None:
    """Return once the server answers GET `path` (with `expect_status`, when one is given).

    A server that exits, answers otherwise or is not up within `timeout` raises RuntimeError
    carrying the end of its log.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log_tail(log)}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            response.read()
        except OSError:
            time.sleep(0.1)
            continue
        finally:
            connection.close()
        if expect_status is not None and response.status != expect_status:
            raise RuntimeError(
                f"GET {path} answered {response.status}, not {expect_status}:\n{log_tail(log)}"
            )
        return
    raise RuntimeError(f"the server did not start within {timeout:.0f} s:\n{log_tail(log)}")


def log_tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def stop(process: subprocess.Popen, *, group: bool = False, timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL after `timeout`.

    With `group` (for a process started with start_new_session=True) the signals go to its
    whole process group, so workers it forked cannot outlive it. A process reaped already is
    left alone: its pid, and so its group id, may belong to another process by now.
    """
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        if group:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        if not group:
            process.kill()
            process.wait()
    if group:
        kill_group(process)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL what is left of the group of a process just reaped (or about to be).

    Safe only right then: while any member lives its group id cannot be handed out again.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


# A baseline for serving files: no Django, only what any WSGI app must do to serve a file
# (BENCH_FILE) or a single range of it through gunicorn, sendfile included: the ceiling for
# any Python code serving files there. The slice object keeps the no-sendfile path from
# reading to the end of the file for every range.
FILE_APP = """
import os
import re

PATH = os.environ["BENCH_FILE"]
RANGE = re.compile(r"bytes=(\\d+)-(\\d+)")


class Slice:
    def __init__(self, file, start, stop):
        self.file, self.stop = file, stop
        file.seek(start)

    def fileno(self):
        return self.file.fileno()

    def read(self, size):
        return self.file.read(max(min(size, self.stop - self.file.tell()), 0))

    def close(self):
        self.file.close()


def application(environ, start_response):
    file = open(PATH, "rb", buffering=0)
    size = os.fstat(file.fileno()).st_size
    start, stop, status, headers = 0, size, "200 OK", []
    if match := RANGE.fullmatch(environ.get("HTTP_RANGE", "")):
        start, stop = int(match[1]), min(int(match[2]) + 1, size)
        status = "206 Partial Content"
        headers.append(("Content-Range", f"bytes {start}-{stop - 1}/{size}"))
    headers += [("Content-Type", "video/mp4"), ("Content-Length", str(stop - start))]
    start_response(status, headers)
    return environ["wsgi.file_wrapper"](Slice(file, start, stop), 65536)
"""
