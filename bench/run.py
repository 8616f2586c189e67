"""The project's benchmark suite: the site under production settings, measured against
baselines started in the same run, on a scaled data set in a fresh temporary directory.

The site runs under gunicorn with the repo's gunicorn.conf.py and its defaults, DEBUG
off, on a fresh SQLite database filled by `seed_demo` and bench/scale_data.py. Its baselines:
a bare Django view (no middleware, no database) for pages, and nginx (sendfile on) and
WhiteNoise for the 50 MiB video file that all three serve. Load comes from wrk (-t2 -c16) on
loopback; each measurement runs twice, alternating with its baseline, and both runs are kept.

Sections (all by default; --only takes a comma-separated list):
  pages       ten pages, site req/s / bare view req/s, p50 and p99; run uncached
              (PSOASAPP_PAGE_CACHE_SECONDS=0) and with the page cache, gunicorn restarted
              between
  video       random 64 KiB and 1 MiB Range slices and full GETs, site /media/ vs nginx and
              WhiteNoise, after checking that each answers with the file's exact bytes
  slow        /stretches/ under wrk while 50 slow clients stream the video from /media/
  queries     SQL queries per page on the small (seed_demo) and the scaled database
  bytes       bytes on the wire per page: HTML, and the CSS and JS it references
  lighthouse  Lighthouse 12.2.3 (installed with npm into bench/.lighthouse when missing),
              mobile preset with simulated throttling, for four pages

Options:
  --seconds N  seconds per wrk measurement (default 5, or BENCH_SECONDS)
  --quick      one second per measurement
  --only LIST  run only these sections, e.g. --only pages,queries

Prints one table with the targets and PASS/FAIL, and writes every raw figure with the
environment to bench/results/bench-<UTC time>.json. Exits non-zero when something is broken
(a server that does not start, wrong bytes, a page that errors), not when a target is missed.
A default run takes about 10 minutes on two cores.

Run: make bench [BENCH_SECONDS=2] [BENCH_ARGS="--only pages,video"], or
     .venv/bin/python bench/run.py [--quick] [--seconds N] [--only pages,video]
Progress goes to stderr. Beside this file: scale_data.py grows the data set, page_queries.py
picks the pages and counts their queries, _wrk, _http, _lighthouse and _report do what they
say, and _common holds what the older bench_*.py scripts share with this one.
"""

import argparse
import importlib.metadata
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import fmean
from urllib.parse import urljoin, urlsplit

from _common import (
    BASE_DIR,
    FILE_APP,
    free_port,
    log_tail,
    note,
    site_env,
    stop,
    wait_until_serving,
    write_random_file,
)
from _http import AssetParser, SlowStreams, decoded, fetch
from _lighthouse import CHROME, installed_version, lighthouse_audit, lighthouse_install
from _report import render
from _wrk import CONNECTIONS, Wrk, WrkResult

BENCH_DIR = BASE_DIR / "bench"
RESULTS_DIR = BENCH_DIR / "results"
SECTIONS = ("pages", "video", "slow", "queries", "bytes", "lighthouse")
DEFAULT_SECONDS = 5.0

VIDEO_NAME = "bench-50mib.mp4"
VIDEO_SIZE = 50 * 1024 * 1024
VIDEO_CASES = [  # name, wrk script, bytes per answer (None: the whole file)
    ("64 KiB ranges", "range", 64 * 1024),
    ("1 MiB ranges", "range", 1024 * 1024),
    ("full file", "plain", None),
]

SLOW_CLIENTS = 50
PACKAGES = ("django", "gunicorn", "whitenoise")  # versions recorded with the results

TARGETS = {
    "page_ratio": 0.35,
    "cached_page_ratio": 0.70,
    "page_p99_ms": 50.0,
    "range_ratio": 0.70,
    "full_file_ratio": 0.80,
    "slow_p99_ms": 100.0,
    "session_bytes": 25_000,
    "lighthouse": {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100},
}
# With the page cache on, every page is held to the cached target: filters and searches are
# list pages too, and a visitor's second look at any of them is served from the cache.
CACHE_SECONDS = "600"
LIGHTHOUSE_PAGES = ["home", "stretch detail", "session", "post (comments)"]

# The baseline for pages: Django with nothing between the request and the view.
BARE_APP = '''"""The page baseline: Django answering "ok", no middleware, database or templates."""
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only-bare-view",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import re_path  # noqa: E402


def ok(request):
    return HttpResponse("ok")


# Every path, so the baseline is asked for the same URLs as the site.
urlpatterns = [re_path(r"", ok)]
application = get_wsgi_application()
'''

WHITENOISE_APP = '''"""The video baseline: WhiteNoise serving the benchmark's file, nothing else."""
import os

from whitenoise import WhiteNoise


def not_found(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


application = WhiteNoise(not_found, root=os.environ["BENCH_VIDEO_DIR"])
'''

# No tcp_nopush: on loopback it holds the end of each 64 KiB answer back for a delayed ACK,
# 40 ms a request, which makes nginx look seventy times slower than it is.
NGINX_CONF = """daemon off;
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log {tmp}/nginx-access.log;
    sendfile on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
{temp_paths}
    types {{
        video/mp4 mp4;
    }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""


class BenchError(RuntimeError):
    """Something is broken (not slow): the run cannot be trusted and exits non-zero."""


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def command_version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    for line in (done.stdout + done.stderr).splitlines():
        # Debian's chromium wrapper prints a shell warning before its version.
        if line.strip() and "unexpected operator" not in line:
            return line.strip()
    return "?"


def find_tool(command: str, package: str) -> str | None:
    """The tool's path, installing its Debian package first when we are root with apt-get."""
    search = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    if found := shutil.which(command, path=search):
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    note(f"{command} is missing: apt-get install -y {package}")
    install = ["apt-get", "install", "-y", "-qq", package]
    quiet = {"capture_output": True, "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
    if subprocess.run(install, **quiet).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], **quiet)
        subprocess.run(install, **quiet)
    return shutil.which(command, path=search)


def unanswered(runs: list[WrkResult]) -> list[str]:
    """A run in which no request got its answer has no latency to report: it says so instead."""
    return [f"no answer at all in {run.seconds:.0f} s" for run in runs if not run.requests]


def query_shapes(sql: list[str]) -> Counter:
    """Queries with their literals blanked, counted: an N+1 shows as one shape many times."""
    return Counter(re.sub(r"'[^']*'|\b\d+\b", "?", query) for query in sql)


class Bench:
    def __init__(self, tmp: Path, seconds: float, sections: list[str]) -> None:
        self.tmp = tmp
        self.seconds = seconds
        self.sections = sections
        self.servers = ExitStack()
        self.failures: list[str] = []
        self.notes: list[str] = []
        self.video = tmp / "media" / "videos" / VIDEO_NAME
        self.pages: dict[str, str] = {}
        self.results: dict = {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds_per_measurement": seconds,
            "sections": sections,
            "targets": TARGETS,
        }
        wrk = find_tool("wrk", "wrk")
        self.wrk = Wrk(wrk, tmp) if wrk else None

    # Servers

    def site_env(self, *, cached: bool) -> dict[str, str]:
        return site_env(self.tmp, PSOASAPP_PAGE_CACHE_SECONDS=CACHE_SECONDS if cached else "0")

    def start(
        self, name: str, command: list[str], port: int, *, env=None, cwd=BASE_DIR, **ready
    ) -> Server:
        """Start a server in its own process group, stopped with the others at the end."""
        log = self.tmp / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.servers.callback(stop, process, group=True)
        try:
            wait_until_serving(process, port, log, **ready)
        except RuntimeError as error:
            raise BenchError(f"{name} did not start: {error}") from error
        return Server(name, port, process, log)

    def start_gunicorn(self, name: str, app: str, env: dict[str, str], **ready) -> Server:
        port = free_port()
        env = {**env, "HOST": "127.0.0.1", "PORT": str(port)}
        # gunicorn.conf.py's own defaults, whatever the shell has set.
        for setting in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_CMD_ARGS"):
            env.pop(setting, None)
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
        # gunicorn 27 gives every master the same control socket in $HOME by default: ours
        # must not take over that of a server someone else is running on this machine.
        command += ["--control-socket", str(self.tmp / f"{name}.ctl")]
        if not app.startswith("psoasapp."):
            command += ["--pythonpath", str(self.tmp)]
        return self.start(name, [*command, app], port, env=env, **ready)

    def start_site(self, *, cached: bool) -> Server:
        note(f"starting the site ({'with' if cached else 'without'} the page cache)")
        return self.start_gunicorn(
            "site",
            "psoasapp.wsgi",
            self.site_env(cached=cached),
            path="/robots.txt",
            expect_status=200,
        )

    def baseline_env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, **extra}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        return env

    def start_bare(self) -> Server:
        (self.tmp / "bare_app.py").write_text(BARE_APP)
        return self.start_gunicorn(
            "bare", "bare_app:application", self.baseline_env(), expect_status=200
        )

    def start_whitenoise(self) -> Server:
        (self.tmp / "whitenoise_app.py").write_text(WHITENOISE_APP)
        env = self.baseline_env(BENCH_VIDEO_DIR=str(self.video.parent))
        return self.start_gunicorn(
            "whitenoise", "whitenoise_app:application", env, path=f"/{VIDEO_NAME}"
        )

    def start_file_app(self) -> Server:
        """gunicorn's own ceiling for files: a bare WSGI app, nothing of Django."""
        (self.tmp / "file_app.py").write_text(FILE_APP)
        env = self.baseline_env(BENCH_FILE=str(self.video))
        return self.start_gunicorn("wsgi", "file_app:application", env, path="/")

    def start_nginx(self) -> Server | None:
        nginx = find_tool("nginx", "nginx-light")
        if nginx is None:
            self.notes.append(
                "nginx is not installed (and could not be: not root with apt-get); "
                "its rows are skipped. Install it with: apt-get install -y nginx-light"
            )
            return None
        version = command_version([nginx, "-v"])
        self.results["environment"]["nginx"] = version.removeprefix("nginx version: nginx/")
        # Every temp path nginx was built with is moved into the temporary directory, so it
        # needs no write access to /var/lib/nginx.
        built_with = subprocess.run([nginx, "-V"], capture_output=True, text=True).stderr
        temp_paths = "\n".join(
            f"    {kind.replace('-', '_')}_temp_path {self.tmp}/nginx-temp-{kind};"
            for kind in re.findall(r"--http-([a-z-]+)-temp-path", built_with)
        )
        port = free_port()
        config = self.tmp / "nginx.conf"
        config.write_text(
            NGINX_CONF.format(
                tmp=self.tmp, port=port, root=self.video.parent, temp_paths=temp_paths
            )
        )
        # As root, nginx's workers run as nobody: they must be able to read the file.
        self.tmp.chmod(0o755)
        command = [nginx, "-p", str(self.tmp), "-e", str(self.tmp / "nginx-error.log")]
        return self.start(
            "nginx", [*command, "-c", str(config)], port, cwd=self.tmp, path=f"/{VIDEO_NAME}"
        )

    # Setup

    def manage(self, *args: str) -> str:
        return self.python(str(BASE_DIR / "manage.py"), *args)

    def python(self, *args: str) -> str:
        """Run a script against the site's database and files, uncached; return its output."""
        done = subprocess.run(
            [sys.executable, *args],
            cwd=BASE_DIR,
            env=self.site_env(cached=False),
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BenchError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def page_queries(self, size: str) -> dict:
        pages = json.loads(self.python(str(BENCH_DIR / "page_queries.py")))
        for name, row in pages.items():
            if row["status"] != 200:
                self.failures.append(
                    f"{name} ({row['url']}) answered {row['status']} in-process, {size} data set"
                )
        return pages

    def prepare(self) -> None:
        began = time.monotonic()
        note("migrate, collectstatic, seed_demo on a fresh database")
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("collectstatic", "--noinput", "-v", "0")
        seeded = self.manage("seed_demo")
        if "queries" in self.sections:
            note("counting queries on the small database")
            self.results["queries_small"] = self.page_queries("small")
        note("scaling the data set (bench/scale_data.py)")
        scaled = self.python(str(BENCH_DIR / "scale_data.py"))
        self.results["queries_scaled"] = self.page_queries("scaled")
        self.pages = {name: row["url"] for name, row in self.results["queries_scaled"].items()}
        note(f"writing the {VIDEO_SIZE // 2**20} MiB video file")
        write_random_file(self.video, VIDEO_SIZE)
        self.results["data"] = {
            "seed_demo": seeded.strip().splitlines(),
            "scale_data": scaled.strip(),
            "pages": self.pages,
            "seconds": round(time.monotonic() - began, 1),
        }

    def environment(self) -> dict:
        def git(*args: str) -> str:
            done = subprocess.run(["git", *args], cwd=BASE_DIR, capture_output=True, text=True)
            return done.stdout.strip()

        dirty = " (with uncommitted changes)" if git("status", "--porcelain") else ""
        return {
            "cpus": os.cpu_count(),
            "load_average_at_start": os.getloadavg(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            **{name: importlib.metadata.version(name) for name in PACKAGES},
            "wrk": self.wrk.version() if self.wrk else "not found",
            "nginx": "not used",
            "node": command_version(["node", "-v"]),
            "chromium": command_version([CHROME, "--version"]),
            "lighthouse": installed_version() or "not installed yet",
            "git_commit": git("rev-parse", "HEAD") + dirty,
        }

    # Measurements

    def warm_up(self, server: Server, paths: list[str]) -> None:
        """Every worker compiles its templates and fills its caches before it is measured."""
        self.wrk.run(server.url(paths[0]), 2, script="round_robin", args=tuple(paths))

    def check_pages(self, site: Server) -> dict[str, int]:
        statuses = {name: fetch(site.port, url)[0] for name, url in self.pages.items()}
        for name, status in statuses.items():
            if status != 200:
                self.failures.append(f"{site.name}: {name} ({self.pages[name]}) answered {status}")
        return statuses

    def measure_pages(self, site: Server, bare: Server, *, cached: bool) -> list[dict]:
        statuses = self.check_pages(site)
        self.warm_up(site, list(self.pages.values()))
        rows = []
        for name, url in self.pages.items():
            if statuses[name] != 200:
                rows.append({"page": name, "url": url, "status": statuses[name]})
                continue
            note(f"{'cached' if cached else 'uncached'} {name}: {url}")
            site_runs, bare_runs = [], []
            for _ in range(2):
                site_runs.append(self.wrk.run(site.url(url), self.seconds))
                bare_runs.append(self.wrk.run(bare.url(url), self.seconds))
            ratios = [
                s.requests_per_second / b.requests_per_second if b.requests else 0.0
                for s, b in zip(site_runs, bare_runs, strict=True)
            ]
            target = TARGETS["cached_page_ratio"] if cached else TARGETS["page_ratio"]
            row = {
                "page": name,
                "url": url,
                "status": 200,
                "site": [run.as_dict() for run in site_runs],
                "bare": [run.as_dict() for run in bare_runs],
                "ratios": ratios,
                "ratio": fmean(ratios),
                "p50_ms": fmean(run.p50_us for run in site_runs) / 1000,
                "p99_ms": fmean(run.p99_us for run in site_runs) / 1000,
                "errors": sum(run.errors for run in site_runs + bare_runs),
                "problems": unanswered(site_runs + bare_runs),
                "target_ratio": target,
            }
            row["pass"] = (
                row["ratio"] >= target
                and row["p99_ms"] < TARGETS["page_p99_ms"]
                and not row["errors"]
                and not row["problems"]
            )
            if row["errors"]:
                row["log_tail"] = log_tail(site.log, 15)
            rows.append(row)
        return rows

    def verify_file(self, server: Server, path: str) -> dict:
        """A random Range and the whole file, byte for byte, so a broken server cannot look fast."""
        content = self.video.read_bytes()
        first = random.randrange(VIDEO_SIZE - 2**20)
        last = first + 2**20 - 1
        status, headers, body = fetch(server.port, path, {"Range": f"bytes={first}-{last}"})
        problems = []
        if status != 206:
            problems.append(f"Range answered {status}, not 206")
        if headers.get("content-range") != f"bytes {first}-{last}/{VIDEO_SIZE}":
            problems.append(f"Content-Range {headers.get('content-range')!r}")
        if body != content[first : last + 1]:
            problems.append(f"wrong bytes for bytes={first}-{last}")
        status, headers, body = fetch(server.port, path)
        if status != 200 or body != content:
            problems.append(f"full GET answered {status} with {len(body)} bytes, not the file")
        if problems:
            raise BenchError(f"{server.name} serves {path} wrongly: {'; '.join(problems)}")
        return {"server": server.name, "path": path, "range": f"bytes={first}-{last}", "ok": True}

    def measure_video(self, servers: list[tuple[Server, str]]) -> list[dict]:
        rows = []
        for case, script, answer_bytes in VIDEO_CASES:
            args = (str(VIDEO_SIZE), str(answer_bytes)) if answer_bytes else ()
            runs: dict[str, list[WrkResult]] = {server.name: [] for server, _ in servers}
            for _ in range(2):
                for server, path in servers:
                    note(f"video {case}: {server.name}")
                    runs[server.name].append(
                        self.wrk.run(
                            server.url(path),
                            self.seconds,
                            script=script,
                            args=args,
                            timeout_seconds=60,
                        )
                    )
            rows.append(self.video_row(case, answer_bytes or VIDEO_SIZE, runs))
        return rows

    def video_row(self, case: str, answer_bytes: int, runs: dict[str, list[WrkResult]]) -> dict:
        ranged = case != "full file"
        servers = {}
        for name, results in runs.items():
            # Bytes per answer near the size asked for: a server that sent the whole file to a
            # Range request, or cut answers short, is flagged however fast it looked.
            problems = unanswered(results)
            for run in results:
                if not run.requests:
                    continue
                per_answer = run.bytes / run.requests
                in_flight = CONNECTIONS * answer_bytes / run.requests  # cut off by the end
                if not answer_bytes <= per_answer <= answer_bytes + in_flight + 2048:
                    problems.append(f"{per_answer:,.0f} bytes per answer, not {answer_bytes:,}")
            servers[name] = {
                "runs": [run.as_dict() for run in results],
                "requests_per_second": fmean(run.requests_per_second for run in results),
                "megabytes_per_second": fmean(run.megabytes_per_second for run in results),
                "errors": sum(run.errors for run in results),
                "problems": problems,
            }
        ratios = {}
        measure = "requests_per_second" if ranged else "megabytes_per_second"
        for baseline in ("nginx", "whitenoise", "wsgi"):
            if baseline in runs:
                per_run = [
                    getattr(site, measure) / getattr(base, measure) if getattr(base, measure) else 0
                    for site, base in zip(runs["site"], runs[baseline], strict=True)
                ]
                ratios[baseline] = {"runs": per_run, "mean": fmean(per_run)}
        target = TARGETS["range_ratio"] if ranged else TARGETS["full_file_ratio"]
        row = {
            "case": case,
            "measure": measure,
            "servers": servers,
            "ratios": ratios,
            "target_ratio_to_nginx": target,
        }
        if "nginx" in ratios:
            row["pass"] = ratios["nginx"]["mean"] >= target and not any(
                entry["errors"] or entry["problems"] for entry in servers.values()
            )
        return row

    def measure_slow_streams(self, site: Server) -> dict:
        path = f"/media/videos/{VIDEO_NAME}"
        with SlowStreams(site.port, path, SLOW_CLIENTS) as streams:
            deadline = time.monotonic() + 10
            while streams.receiving < SLOW_CLIENTS and time.monotonic() < deadline:
                time.sleep(0.2)
            settled = streams.receiving
            before = list(streams.received)
            note(f"slow streams: {settled} of {SLOW_CLIENTS} receiving; /stretches/ under wrk")
            runs = [self.wrk.run(site.url("/stretches/"), self.seconds) for _ in range(2)]
            after = list(streams.received)
            connected = sum(streams.connected)
            errors = list(streams.errors)
        during = [b - a for a, b in zip(before, after, strict=True)]
        receiving = sum(1 for count in during if count)
        row = {
            "clients": SLOW_CLIENTS,
            "connected": connected,
            "receiving_before_wrk": settled,
            "receiving_during_wrk": receiving,
            "megabytes_during_wrk": sum(during) / 1e6,
            "client_errors": errors[:20],
            "runs": [run.as_dict() for run in runs],
            "requests_per_second": fmean(run.requests_per_second for run in runs),
            "p50_ms": fmean(run.p50_us for run in runs) / 1000,
            "p99_ms": fmean(run.p99_us for run in runs) / 1000,
            "errors": sum(run.errors for run in runs),
            "problems": unanswered(runs),
        }
        row["pass"] = (
            row["p99_ms"] < TARGETS["slow_p99_ms"]
            and not row["errors"]
            and not row["problems"]
            and receiving == SLOW_CLIENTS
        )
        if receiving == 0:
            self.failures.append("slow streams: no slow client received anything during the run")
        return row

    def measure_bytes(self, site: Server) -> list[dict]:
        accept = {"Accept-Encoding": "br, gzip"}
        rows = []
        for name, url in self.pages.items():
            # The second answer: what visitors get once the site is warm.
            fetch(site.port, url, accept)
            status, headers, body = fetch(site.port, url, accept)
            encoding = headers.get("content-encoding", "identity")
            parser = AssetParser()
            parser.feed(decoded(body, encoding).decode("utf-8", "replace"))
            assets = []
            for asset in parser.urls:
                absolute = urlsplit(urljoin(site.url(url), asset))
                if absolute.netloc != f"127.0.0.1:{site.port}":
                    continue
                asset_path = absolute.path + (f"?{absolute.query}" if absolute.query else "")
                asset_status, asset_headers, asset_body = fetch(site.port, asset_path, accept)
                if asset_status != 200:
                    self.failures.append(f"{name}: {asset} answered {asset_status}")
                assets.append(
                    {
                        "url": asset,
                        "status": asset_status,
                        "encoding": asset_headers.get("content-encoding", "identity"),
                        "wire_bytes": len(asset_body),
                    }
                )
            row = {
                "page": name,
                "url": url,
                "status": status,
                "html_encoding": encoding,
                "html_wire_bytes": len(body),
                "html_bytes": len(decoded(body, encoding)),
                "assets": assets,
                "assets_wire_bytes": sum(asset["wire_bytes"] for asset in assets),
            }
            row["total_wire_bytes"] = row["html_wire_bytes"] + row["assets_wire_bytes"]
            if name == "session":
                row["target_bytes"] = TARGETS["session_bytes"]
                row["pass"] = row["total_wire_bytes"] <= TARGETS["session_bytes"]
            rows.append(row)
        return rows

    def measure_lighthouse(self, site: Server) -> dict:
        cli, problem = lighthouse_install()
        if cli is None:
            self.notes.append(f"Lighthouse skipped: {problem}")
            return {}
        self.results["environment"]["lighthouse"] = installed_version()
        results = {}
        for name in LIGHTHOUSE_PAGES:
            url = self.pages[name]
            note(f"lighthouse {name}: {url}")
            output = self.tmp / f"lighthouse-{name.split()[0]}.json"
            audit = lighthouse_audit(cli, site.url(url), output, TARGETS["lighthouse"])
            results[name] = {"url": url, **audit}
        return results

    def compare_queries(self) -> list[dict]:
        small, scaled = self.results["queries_small"], self.results["queries_scaled"]
        rows = []
        for name, large in scaled.items():
            before = small[name]
            row = {
                "page": name,
                "small_url": before["url"],
                "scaled_url": large["url"],
                "small": before["queries"],
                "scaled": large["queries"],
                "pass": before["queries"] == large["queries"],
            }
            if not row["pass"]:
                grown = query_shapes(large["sql"]) - query_shapes(before["sql"])
                row["grown_queries"] = [
                    {"times_more": count, "sql": sql[:300]} for sql, count in grown.most_common(3)
                ]
            rows.append(row)
        return rows

    # The run

    def run(self) -> None:
        self.results["environment"] = self.environment()
        wrk_sections = {"pages", "video", "slow"} & set(self.sections)
        if self.wrk is None and wrk_sections:
            self.notes.append(
                "wrk is not installed (and could not be: not root with apt-get), so "
                f"{', '.join(sorted(wrk_sections))} are skipped. Install it: apt-get install -y wrk"
            )
            self.sections = [s for s in self.sections if s not in wrk_sections]
        self.prepare()
        if "queries" in self.sections:
            self.results["queries"] = self.compare_queries()

        site = None
        if "pages" in self.sections:
            bare = self.start_bare()
            self.warm_up(bare, ["/"])
            site = self.start_site(cached=False)
            self.results["pages_uncached"] = self.measure_pages(site, bare, cached=False)
            stop(site.process, group=True)
            site = self.start_site(cached=True)
            self.results["pages_cached"] = self.measure_pages(site, bare, cached=True)
        elif {"video", "slow", "bytes", "lighthouse"} & set(self.sections):
            site = self.start_site(cached=True)

        if "video" in self.sections or "slow" in self.sections:
            file_servers = [(site, f"/media/videos/{VIDEO_NAME}")]
            if "video" in self.sections:
                if nginx := self.start_nginx():
                    file_servers.append((nginx, f"/{VIDEO_NAME}"))
                file_servers.append((self.start_whitenoise(), f"/{VIDEO_NAME}"))
                file_servers.append((self.start_file_app(), f"/{VIDEO_NAME}"))
            self.results["file_checks"] = [
                self.verify_file(server, path) for server, path in file_servers
            ]
            if "video" in self.sections:
                self.results["video"] = self.measure_video(file_servers)
            if "slow" in self.sections:
                self.results["slow_streams"] = self.measure_slow_streams(site)
                if "pages_cached" in self.results:
                    for row in self.results["pages_cached"]:
                        if row["page"] == "stretch list" and "p99_ms" in row:
                            self.results["slow_streams"]["p99_ms_without_streams"] = row["p99_ms"]
        if "bytes" in self.sections:
            note("bytes on the wire")
            self.results["bytes"] = self.measure_bytes(site)
        if "lighthouse" in self.sections:
            self.results["lighthouse"] = self.measure_lighthouse(site)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, help="seconds per wrk measurement")
    parser.add_argument("--quick", action="store_true", help="one second per measurement")
    parser.add_argument("--only", help=f"comma-separated sections: {','.join(SECTIONS)}")
    args = parser.parse_args()
    args.sections = list(SECTIONS)
    if args.only:
        args.sections = [part.strip() for part in args.only.split(",") if part.strip()]
        if unknown := set(args.sections) - set(SECTIONS):
            parser.error(f"unknown sections {sorted(unknown)}; choose from {','.join(SECTIONS)}")
    if args.seconds is None:
        args.seconds = (
            1.0 if args.quick else float(os.environ.get("BENCH_SECONDS", DEFAULT_SECONDS))
        )
    return args


def main() -> int:
    args = parse_args()
    # A stopped run (Ctrl-C, a CI timeout) still stops its servers and removes its files.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    began = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="psoasapp-bench-"))
    bench = None
    try:
        bench = Bench(tmp, args.seconds, args.sections)
        with bench.servers:
            bench.run()
    except Exception as error:
        if bench is None:
            raise
        if isinstance(error, BenchError):
            bench.failures.append(str(error))
        else:
            traceback.print_exc()
            bench.failures.append(f"the run crashed: {error!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results = bench.results
    results["failures"] = bench.failures
    results["notes"] = bench.notes
    results.setdefault("environment", {})["load_average_at_end"] = os.getloadavg()
    results["total_seconds"] = round(time.monotonic() - began, 1)
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"bench-{stamp}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(render(results))
    print(f"\nRaw figures: {path.relative_to(BASE_DIR)}")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
