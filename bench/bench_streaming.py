"""Benchmark /media/ streaming under gunicorn against a bare wsgi.file_wrapper app.

Full downloads and random 1 MiB ranges of a 50 MiB file, over loopback, with the
project's gunicorn.conf.py; stops by itself in under a minute.
Run: .venv/bin/python bench/bench_streaming.py
"""

import http.client
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from _common import (
    BASE_DIR,
    FILE_APP,
    free_port,
    proc_status_mib,
    site_env,
    stop,
    wait_until_serving,
    worker_pids,
    write_random_file,
)

PROJECT_CONFIG = BASE_DIR / "gunicorn.conf.py"
FILE_NAME = "demo.mp4"
FILE_SIZE = 50 * 1024 * 1024
RANGE_SIZE = 1024 * 1024
CLIENT_THREADS = 4
PHASE_SECONDS = 4.0
MAX_REQUESTS = 5000  # per phase, so a very fast machine still stops early
CHECK_EVERY = 25  # compare every Nth body with the file, byte for byte


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


def start_gunicorn(server: Server, config: Path, port: int, workdir: Path) -> subprocess.Popen:
    log = (workdir / f"gunicorn-{port}.log").open("wb")
    command = [sys.executable, "-m", "gunicorn", "--config", str(config)]
    command += ["--chdir", str(BASE_DIR), "--pythonpath", str(workdir), server.app]
    environment = {
        **server.env,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        # One worker, so its memory and CPU time are those of every request.
        "GUNICORN_WORKERS": "1",
    }
    with log:
        return subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)


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
        wait_until_serving(
            process,
            port,
            workdir / f"gunicorn-{port}.log",
            path=server.path,
            headers={"Range": "bytes=0-0"},
            expect_status=206,
        )
        worker = worker_pids(process.pid)[0]
        rss_at_start = proc_status_mib(worker, "VmHWM")
        full = run_phase(port, server.path, file_path, worker, ranged=False)
        ranges = run_phase(port, server.path, file_path, worker, ranged=True)
        rss_peak = proc_status_mib(worker, "VmHWM")
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
        write_random_file(file_path, FILE_SIZE)
        (workdir / "baseline_app.py").write_text(FILE_APP)

        baseline = Server(
            "baseline",
            "baseline_app:application",
            f"/{FILE_NAME}",
            {**os.environ, "BENCH_FILE": str(file_path)},
        )
        ours = Server(
            "ours /media/",
            "psoasapp.wsgi:application",
            f"/media/{FILE_NAME}",
            site_env(workdir),
        )

        print(
            f"{FILE_SIZE // 2**20} MiB file, random {RANGE_SIZE // 2**20} MiB ranges, "
            f"{CLIENT_THREADS} client threads, {PHASE_SECONDS:.0f} s per phase, "
            f"gthread with 1 worker on 127.0.0.1, {os.cpu_count()} CPUs; "
            "baseline = bare WSGI app with wsgi.file_wrapper"
        )
        header = f"  {'':<14}{'full downloads':^40}   {'1 MiB ranges':^40}   worker peak RSS"
        print(header)
        baseline_full, baseline_ranges = measure(baseline, PROJECT_CONFIG, file_path, workdir)
        full, ranges = measure(ours, PROJECT_CONFIG, file_path, workdir)
        full_ratio = full.megabytes_per_second / baseline_full.megabytes_per_second
        ranges_ratio = ranges.megabytes_per_second / baseline_ranges.megabytes_per_second
        print(f"  {'ours/baseline':<14}{full_ratio:^40.2f}   {ranges_ratio:^40.2f}")


if __name__ == "__main__":
    main()
