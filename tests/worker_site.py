"""A psoasapp install driven through subprocesses, for the tests of the real task workers.

Each site has its own database (a copy of one migrated once: a SQLite file, or on the
PostgreSQL pass a PostgreSQL database), media, work and mail folders, and runs either task
backend: django-tasks-db (`manage.py db_worker`) or RQ on Redis (`manage.py rqworker`). Every
subprocess has a time limit, so a hung worker fails the test instead of hanging the run.
Tests get a `Sites` for their module from the `sites` fixture in tests/conftest.py.
"""

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import av
import psycopg
import redis

from tests.site_services import SiteDatabases, admin_params, reachable_redis

BASE_DIR = Path(__file__).resolve().parents[1]
COMMAND_TIMEOUT = 120

BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
# Work through what is queued, then stop (add nothing to run until killed).
BATCH = {
    "db": ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", "--batch"],
    "rq": ["rqworker", "default", "--burst"],
}
# Redis for the RQ queue when REDIS_URL is not set (never db 0 or 15, which others use).
DEFAULT_TASKS_REDIS_URL = "redis://127.0.0.1:6379/14"

ENQUEUE = """
import os
from django.core.files import File
from django.db import transaction
from routines.models import Video
from routines.tasks import video_enqueue

with transaction.atomic(), open(os.environ["CLIP"], "rb") as clip:
    video = Video(title=os.environ["TITLE"], original_name="clip.mkv")
    video.original.save("clip.mkv", File(clip), save=True)
    video_enqueue(video=video)
print(video.pk)
"""


def tasks_redis_url() -> str:
    """The Redis the RQ tests queue on; a failure on CI when it is down, else a skip."""
    url = os.environ.get("REDIS_URL") or DEFAULT_TASKS_REDIS_URL
    return reachable_redis(url, needed_by="the RQ worker tests")


@dataclass
class Site:
    """One install: its database, folders, task backend and the environment to run it in."""

    root: Path
    backend: str  # "db" or "rq"
    env: dict[str, str]
    database: str  # a SQLite file, or a PostgreSQL database name
    redis_url: str | None = None

    @property
    def media(self) -> Path:
        return self.root / "media"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def mail(self) -> Path:
        return self.root / "mail"

    def manage(self, *args: str, timeout: float = COMMAND_TIMEOUT, **env: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stderr}"
        return done.stdout

    def work_queue(self) -> None:
        """Run a worker until the queue is empty."""
        self.manage(*BATCH[self.backend])

    @contextmanager
    def worker(self) -> Iterator[subprocess.Popen]:
        """A worker running in its own process group, killed (all of it) when done with."""
        args = [arg for arg in BATCH[self.backend] if arg not in {"--batch", "--burst"}]
        with open(self.root / "worker.log", "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "manage.py", *args],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                yield process
            finally:
                kill_group(process)

    def enqueue(self, clip: Path, title: str = "Queued") -> int:
        return int(self.manage("shell", "-c", ENQUEUE, CLIP=str(clip), TITLE=title).split()[-1])

    def query(self, sql: str, *params) -> list[tuple]:
        if self.database.endswith(".sqlite3"):
            with sqlite3.connect(self.database) as db:
                return db.execute(sql, params).fetchall()
        with psycopg.connect(**admin_params(self.database), autocommit=True) as db:
            return db.execute(sql.replace("?", "%s"), params).fetchall()

    def video(self, pk: int) -> dict:
        columns = [
            "status",
            "error_message",
            "original",
            "playable",
            "playable_small",
            "poster",
            "thumbnail",
            "attempts",
            "progress_percent",
            "task_result_id",
        ]
        [row] = self.query(f"SELECT {', '.join(columns)} FROM routines_video WHERE id = ?", pk)
        return dict(zip(columns, row, strict=True))

    def task_status(self, result_id: str) -> str:
        """A task's status in the backend's own queue (READY, RUNNING, SUCCESSFUL, FAILED)."""
        if self.backend == "db":
            if self.database.endswith(".sqlite3"):
                result_id = uuid.UUID(result_id).hex  # how Django keeps a UUID in SQLite
            [(status,)] = self.query(
                "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = ?", result_id
            )
            return status
        from django_tasks_rq.backend import RQ_STATUS_TO_RESULT_STATUS
        from rq.job import Job

        job = Job.fetch(result_id, connection=redis.Redis.from_url(self.redis_url))
        return str(RQ_STATUS_TO_RESULT_STATUS[job.get_status()])

    def tasks(self) -> list[str]:
        """The status of every task in django-tasks-db's queue, oldest first."""
        rows = self.query(
            "SELECT status FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at"
        )
        return [status for (status,) in rows]

    def queued_count(self) -> int:
        """How many tasks wait in the queue for a worker."""
        if self.backend == "db":
            [(count,)] = self.query(
                "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'"
            )
            return count
        return redis.Redis.from_url(self.redis_url).llen("rq:queue:default")

    def media_files(self) -> list[str]:
        return sorted(str(p.relative_to(self.media)) for p in self.media.rglob("*") if p.is_file())

    def emails(self) -> list[EmailMessage]:
        """The messages the site sent (Django's file-based backend, one file per connection)."""
        separator = b"\n" + b"-" * 79 + b"\n"
        return [
            message_from_bytes(raw, policy=policy.default)
            for path in sorted(self.mail.glob("*.log"))
            for raw in path.read_bytes().split(separator)
            if raw.strip()
        ]


class Sites:
    """Makes sites from one migrated database: a file copy, or a PostgreSQL template copy."""

    def __init__(self, root: Path):
        self.root = root
        self.databases = SiteDatabases(root)
        self.template: str | None = None

    def new(self, root: Path, backend: str, **env: str) -> Site:
        """A site in `root` on `backend` ("db" or "rq"), with `env` added to its environment."""
        redis_url = tasks_redis_url() if backend == "rq" else None
        if redis_url:
            redis.Redis.from_url(redis_url).flushdb()  # this test's queue only: its own db
        if self.template is None:
            self.template = self.databases.create()
            template_site = self._site(self.root / "template", "rq", self.template)
            template_site.manage("migrate", "--noinput", "-v", "0")
        database = self.databases.create(template=self.template)
        return self._site(root, backend, database, redis_url, **env)

    def drop_all(self) -> None:
        self.databases.drop_all()

    def _site(
        self, root: Path, backend: str, database: str, redis_url: str | None = None, **env: str
    ) -> Site:
        # No media folder: storage makes it when a file is saved there, and only then.
        for folder in ("work", "mail", "var"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "DATABASE_URL": self.databases.url(database),
            "DJANGO_MEDIA_ROOT": str(root / "media"),
            "DJANGO_VAR_DIR": str(root / "var"),
            "DJANGO_TASKS_BACKEND": BACKENDS[backend],
            # The queue (RQ sites); REDIS_URL, the cache, stays as this test run has it.
            "DJANGO_TASKS_REDIS_URL": redis_url
            or os.environ.get("REDIS_URL")
            or DEFAULT_TASKS_REDIS_URL,
            "DJANGO_DEBUG": "true",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PSOASAPP_VIDEO_WORK_DIR": str(root / "work"),
            "PSOASAPP_VIDEO_HEARTBEAT_SECONDS": "0.2",
            "PSOASAPP_TEST_MAIL_DIR": str(root / "mail"),
            **env,
        }
        return Site(root, backend, env, database, redis_url)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL a worker and everything it started, as a crash would.

    RQ forks a work horse for each job and puts it in a process group of its own, so the
    worker's group is not enough: its children are found in /proc and killed too.
    """
    if process.poll() is None:
        horses = child_pids(process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        for pid in horses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)


def child_pids(parent: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # The command name (in parentheses) may hold spaces; the parent's pid follows it.
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                children.append(int(stat.parent.name))
    return children


def write_noise_clip(path: Path, *, seconds: int = 12, size=(960, 540), fps: int = 25) -> Path:
    """Random pictures: quick to make, and the slowest thing there is for x264 to encode,
    so the transcode lasts long enough to be interrupted even on a fast machine."""
    width, height = size
    with av.open(str(path), "w", format="matroska") as container:
        stream = container.add_stream("mpeg4", rate=fps, options={"qscale": "12"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        frame = av.VideoFrame(width, height, "yuv420p")
        for index in range(seconds * fps):
            for plane in frame.planes:
                plane.update(os.urandom(plane.buffer_size))
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path
