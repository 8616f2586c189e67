"""The real task worker: `manage.py db_worker` against a real database queue, in subprocesses.

Each test gets its own SQLite file (a copy of one migrated once), media folder and work
folder; every subprocess has a time limit, so a hung worker fails the test instead of
hanging the run. A worker killed mid-transcode, on both task backends (this one and RQ), is
in tests/reliability/test_task_worker_kill.py; the RQ worker's own tests use
tests/worker_site.py, which runs sites on either backend and on PostgreSQL too.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from routines.video import video_probe
from tests.routines.test_video import top_level_boxes, write_clip

BASE_DIR = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT = 120

ENQUEUE = """
import os
from django.core.files import File
from django.db import transaction
from routines.models import Video
from routines.tasks import video_enqueue

with transaction.atomic(), open(os.environ["CLIP"], "rb") as clip:
    video = Video(title="Queued", original_name="clip.mkv")
    video.original.save("clip.mkv", File(clip), save=True)
    video_enqueue(video=video)
print(video.pk)
"""


@dataclass
class Site:
    """A psoasapp install in a folder: its database, media and the environment to run it."""

    root: Path
    env: dict[str, str]

    @property
    def database(self) -> Path:
        return self.root / "db.sqlite3"

    @property
    def media(self) -> Path:
        return self.root / "media"

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

    def start_worker(self) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", *WORKER_OPTIONS],
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def enqueue(self, clip: Path) -> int:
        return int(self.manage("shell", "-c", ENQUEUE, CLIP=str(clip)).split()[-1])

    def query(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.database) as db:
            return db.execute(sql, params).fetchall()

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
        ]
        [row] = self.query(f"SELECT {', '.join(columns)} FROM routines_video WHERE id = ?", pk)
        return dict(zip(columns, row, strict=True))

    def progress(self, pk: int) -> int:
        [(percent,)] = self.query("SELECT progress_percent FROM routines_video WHERE id = ?", pk)
        return percent

    def tasks(self) -> list[str]:
        rows = self.query(
            "SELECT status FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at"
        )
        return [status for (status,) in rows]

    def media_files(self) -> list[str]:
        return sorted(str(p.relative_to(self.media)) for p in self.media.rglob("*") if p.is_file())


# Process what is queued, then stop; no reloader, no random start-up delay.
WORKER_OPTIONS = ["--no-reload", "--no-startup-delay", "--interval", "0.1"]


def site_env(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(root / "media"),
        "DJANGO_VAR_DIR": str(root / "var"),
        "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DJANGO_DEBUG": "true",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PSOASAPP_VIDEO_WORK_DIR": str(root / "work"),
        "PSOASAPP_VIDEO_HEARTBEAT_SECONDS": "0.2",
    }


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A migrated database, made once and copied for each test."""
    root = tmp_path_factory.mktemp("migrated")
    Site(root, site_env(root)).manage("migrate", "--noinput", "-v", "0")
    return root / "db.sqlite3"


@pytest.fixture
def site(tmp_path, migrated) -> Site:
    root = tmp_path / "site"
    (root / "media").mkdir(parents=True)
    shutil.copy(migrated, root / "db.sqlite3")
    return Site(root, site_env(root))


def test_db_worker_processes_a_queued_video(site, tmp_path):
    clip = write_clip(tmp_path / "old.mkv", codec="mpeg4", size=(320, 180), seconds=2, audio=True)
    pk = site.enqueue(clip)
    assert site.video(pk)["status"] == "pending"
    assert site.tasks() == ["READY"]

    site.manage("db_worker", *WORKER_OPTIONS, "--batch")

    video = site.video(pk)
    assert video["status"] == "ready", video["error_message"]
    assert site.tasks() == ["SUCCESSFUL"]
    playable = site.media / video["playable"]
    probe = video_probe(playable)
    assert (probe.video_codec, probe.pix_fmt, probe.audio_codec) == ("h264", "yuv420p", "aac")
    boxes = top_level_boxes(playable.read_bytes())
    assert boxes.index("moov") < boxes.index("mdat")
