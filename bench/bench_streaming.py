"""Benchmark /media/ streaming under gunicorn against a bare wsgi.file_wrapper app.

Full downloads and random 1 MiB ranges of a 50 MiB file, over loopback, with the
project's gunicorn.conf.py; stops by itself in under a minute.
Run: .venv/bin/python bench/bench_streaming.py
"""

import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_CONFIG = BASE_DIR / "gunicorn.conf.py"
FILE_NAME = "demo.mp4"
FILE_SIZE = 50 * 1024 * 1024
RANGE_SIZE = 1024 * 1024
CLIENT_THREADS = 4
PHASE_SECONDS = 4.0
MAX_REQUESTS = 5000  # per phase, so a very fast machine still stops early
CHECK_EVERY = 25  # compare every Nth body with the file, byte for byte
START_TIMEOUT = 20.0

# The baseline: no Django, only what any WSGI app must do to serve a file or a
# single range through gunicorn, sendfile included. The slice object keeps the
# no-sendfile path from reading to the end of the file for every range.
BASELINE_APP = """
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

# gunicorn turns sendfile OFF whenever its `sendfile` setting is given at all,
# even as True, so this copy of the project's config leaves that line out.
SENDFILE_CONFIG = f"""
import runpy

globals().update(
    (name, value)
    for name, value in runpy.run_path({str(PROJECT_CONFIG)!r}).items()
    if name != "sendfile" and not name.startswith("_")
)
"""


@dataclass
class Phase:
    requests: int
    bytes: int
    seconds: float
    worker_cpu_seconds: float

    @property
    def megabytes_per_second(self) -> float:
        return self.bytes / self.seconds / 1e6

    def line(self) -> str:
        cpu = self.worker_cpu_seconds / (self.bytes / 1e9)
        return (
            f"{self.requests / self.seconds:7.1f} req/s {self.megabytes_per_second:6.0f} MB/s"
            f" {cpu:5.2f} cpu-s/GB"
        )


@dataclass
class Server:
    label: str
    app: str
    path: str
    env: dict[str, str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_file(path: Path) -> None:
    with path.open("wb") as file:
        for _ in range(FILE_SIZE // RANGE_SIZE):
            file.write(os.urandom(RANGE_SIZE))


def start_gunicorn(server: Server, config: Path, port: int, workdir: Path) -> subprocess.Popen:
    log = (workdir / f"gunicorn-{port}.log").open("wb")
    command = [sys.executable, "-m", "gunicorn", "--config", str(config)]
    command += ["--chdir", str(BASE_DIR), "--pythonpath", str(workdir), server.app]
    environment = {
        **os.environ,
        **server.env,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        # One worker, so its memory and CPU time are those of every request.
        "GUNICORN_WORKERS": "1",
    }
    with log:
        return subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)


def wait_until_serving(process: subprocess.Popen, port: int, path: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path, headers={"Range": "bytes=0-0"})
            status = connection.getresponse().status
            connection.close()
        except ConnectionRefusedError:
            time.sleep(0.1)
            continue
        if status != 206:
            raise RuntimeError(f"warm-up request answered {status}:\n{log.read_text()}")
        return
    raise RuntimeError("gunicorn did not start in time")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


def cpu_seconds(pid: int) -> float:
    # utime and stime follow the command name, which is in parentheses.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_phase(port: int, path: str, file_path: Path, worker: int, *, ranged: bool) -> Phase:
    """Fetch from several threads for PHASE_SECONDS (or MAX_REQUESTS), reading every byte."""
    lock = threading.Lock()
    totals = {"requests": 0, "bytes": 0}
    errors: list[str] = []
    deadline = time.monotonic() + PHASE_SECONDS

    def client(seed: int) -> None:
        rng = random.Random(seed)
        view = memoryview(bytearray(RANGE_SIZE))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            with file_path.open("rb") as original:
                for served in range(MAX_REQUESTS):
                    with lock:
                        if time.monotonic() >= deadline or totals["requests"] >= MAX_REQUESTS:
                            break
                        totals["requests"] += 1
                    start, length, headers = 0, FILE_SIZE, {}
                    if ranged:
                        start, length = rng.randrange(FILE_SIZE - RANGE_SIZE), RANGE_SIZE
                        headers["Range"] = f"bytes={start}-{start + length - 1}"
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    if response.status != (206 if ranged else 200):
                        raise RuntimeError(f"status {response.status} for {headers}")
                    received = 0
                    while count := response.readinto(view):
                        if served % CHECK_EVERY == 0:
                            original.seek(start + received)
                            if original.read(count) != view[:count]:
                                raise RuntimeError(f"wrong bytes at {start + received}")
                        received += count
                    if received != length:
                        raise RuntimeError(f"{received} bytes instead of {length}")
                    with lock:
                        totals["bytes"] += received
        except Exception as error:  # reported after the phase, not lost in a thread
            errors.append(repr(error))
        finally:
            connection.close()

    cpu_before, began = cpu_seconds(worker), time.monotonic()
    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed, cpu_used = time.monotonic() - began, cpu_seconds(worker) - cpu_before
    if errors:
        raise RuntimeError(f"client errors: {errors}")
    # Requests started before the deadline run to the end, and count in full.
    return Phase(totals["requests"], totals["bytes"], elapsed, cpu_used)


def measure(server: Server, config: Path, file_path: Path, workdir: Path) -> tuple[Phase, Phase]:
    port = free_port()
    process = start_gunicorn(server, config, port, workdir)
    try:
        wait_until_serving(process, port, server.path, workdir / f"gunicorn-{port}.log")
        worker = worker_pid(process.pid)
        rss_at_start = peak_rss_mib(worker)
        full = run_phase(port, server.path, file_path, worker, ranged=False)
        ranges = run_phase(port, server.path, file_path, worker, ranged=True)
        rss_peak = peak_rss_mib(worker)
    finally:
        stop(process)
    print(
        f"  {server.label:<14}{full.line()}   {ranges.line()}"
        f"   {rss_at_start:3.0f} -> {rss_peak:3.0f} MiB"
    )
    return full, ranges


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-streaming-") as tmp:
        workdir = Path(tmp)
        media_root = workdir / "media"
        media_root.mkdir()
        file_path = media_root / FILE_NAME
        make_file(file_path)
        (workdir / "baseline_app.py").write_text(BASELINE_APP)
        sendfile_config = workdir / "gunicorn_sendfile.conf.py"
        sendfile_config.write_text(SENDFILE_CONFIG)

        baseline = Server(
            "baseline", "baseline_app:application", f"/{FILE_NAME}", {"BENCH_FILE": str(file_path)}
        )
        ours = Server(
            "ours /media/",
            "psoasapp.wsgi:application",
            f"/media/{FILE_NAME}",
            {
                "DJANGO_DEBUG": "false",
                "DJANGO_HTTPS": "false",
                "DJANGO_SECRET_KEY": "bench-only-" + os.urandom(16).hex(),
                "DJANGO_MEDIA_ROOT": str(media_root),
                "DJANGO_VAR_DIR": str(workdir / "var"),
                "DJANGO_LOG_LEVEL": "WARNING",
            },
        )

        print(
            f"{FILE_SIZE // 2**20} MiB file, random {RANGE_SIZE // 2**20} MiB ranges, "
            f"{CLIENT_THREADS} client threads, {PHASE_SECONDS:.0f} s per phase, "
            f"gthread with 1 worker on 127.0.0.1, {os.cpu_count()} CPUs; "
            "baseline = bare WSGI app with wsgi.file_wrapper"
        )
        header = f"  {'':<14}{'full downloads':^40}   {'1 MiB ranges':^40}   worker peak RSS"
        for title, config in [
            (
                "gunicorn.conf.py as it is (its `sendfile = True` turns sendfile off):",
                PROJECT_CONFIG,
            ),
            ("gunicorn.conf.py without the sendfile line (sendfile on):", sendfile_config),
        ]:
            print(title)
            print(header)
            baseline_full, baseline_ranges = measure(baseline, config, file_path, workdir)
            full, ranges = measure(ours, config, file_path, workdir)
            full_ratio = full.megabytes_per_second / baseline_full.megabytes_per_second
            ranges_ratio = ranges.megabytes_per_second / baseline_ranges.megabytes_per_second
            print(f"  {'ours/baseline':<14}{full_ratio:^40.2f}   {ranges_ratio:^40.2f}")


if __name__ == "__main__":
    main()
