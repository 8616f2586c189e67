"""Run wrk and read its figures back: a Lua done() hook prints them as one line of JSON.

The scripts only build requests (random Range slices, a round of warm-up paths); none defines
response(), which would make wrk copy every body into Lua.
"""

import json
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

THREADS = 2
CONNECTIONS = 16
MARKER = "BENCH_JSON "  # what REPORT_LUA starts its line with

# %.0f, not %d: byte counts of a video run pass what a 32-bit integer holds.
REPORT_LUA = """
done = function(summary, latency, requests)
  local errors, mean = summary.errors, latency.mean
  if mean ~= mean then mean = 0 end  -- NaN when nothing was answered
  io.write(string.format(
    'BENCH_JSON {"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, '
    .. '"connect_errors": %.0f, "read_errors": %.0f, "write_errors": %.0f, "timeouts": %.0f, '
    .. '"bad_status": %.0f, "p50_us": %.0f, "p90_us": %.0f, "p99_us": %.0f, "max_us": %.0f, '
    .. '"mean_us": %.1f}\\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read,
    errors.write, errors.timeout, errors.status, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, mean))
end
"""

# Each thread draws its own random starts: setup() numbers the threads and init() seeds the
# generator with that number, or every thread would ask for the same slices.
RANGE_LUA = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end
function init(args)
  size, slice = tonumber(args[1]), tonumber(args[2])
  math.randomseed(os.time() * 100 + thread_number)
end
function request()
  local first = math.random(0, size - slice)
  return wrk.format(nil, nil, {Range = "bytes=" .. first .. "-" .. (first + slice - 1)})
end
"""

ROUND_ROBIN_LUA = """
function init(args)
  paths, next_path = args, 0
end
function request()
  next_path = next_path % #paths + 1
  return wrk.format(nil, paths[next_path])
end
"""


@dataclass
class WrkResult:
    url: str
    requests: int
    duration_us: int
    bytes: int
    connect_errors: int
    read_errors: int
    write_errors: int
    timeouts: int
    bad_status: int  # answers outside 2xx and 3xx, wrk's "Non-2xx or 3xx responses"
    p50_us: int
    p90_us: int
    p99_us: int
    max_us: int
    mean_us: float

    @property
    def seconds(self) -> float:
        return self.duration_us / 1e6

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def megabytes_per_second(self) -> float:
        return self.bytes / self.seconds / 1e6

    @property
    def socket_errors(self) -> int:
        return self.connect_errors + self.read_errors + self.write_errors + self.timeouts

    @property
    def errors(self) -> int:
        return self.socket_errors + self.bad_status

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "requests_per_second": self.requests_per_second,
            "megabytes_per_second": self.megabytes_per_second,
            "errors": self.errors,
        }


class Wrk:
    """wrk with this benchmark's settings, writing its Lua scripts into `workdir`."""

    def __init__(self, executable: str, workdir: Path) -> None:
        self.executable = executable
        self.scripts: dict[str, Path] = {}
        for name, body in [
            ("plain", ""),
            ("range", RANGE_LUA),
            ("round_robin", ROUND_ROBIN_LUA),
        ]:
            path = workdir / f"wrk-{name}.lua"
            path.write_text(body + REPORT_LUA)
            self.scripts[name] = path

    def version(self) -> str:
        out = subprocess.run([self.executable, "-v"], capture_output=True, text=True)
        return (out.stdout + out.stderr).splitlines()[0].split(" Copyright")[0].strip()

    def run(
        self,
        url: str,
        seconds: float,
        *,
        script: str = "plain",
        args: tuple[str, ...] = (),
        timeout_seconds: int = 10,
    ) -> WrkResult:
        command = [
            self.executable,
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{max(round(seconds), 1)}s",
            f"--timeout={timeout_seconds}s",
            "--latency",
            "-s",
            str(self.scripts[script]),
            url,
        ]
        if args:
            command += ["--", *args]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + timeout_seconds + 30
        )
        for line in done.stdout.splitlines():
            if line.startswith(MARKER):
                return WrkResult(url=url, **json.loads(line.removeprefix(MARKER)))
        raise RuntimeError(f"wrk gave no figures for {url}:\n{done.stdout}\n{done.stderr}")
