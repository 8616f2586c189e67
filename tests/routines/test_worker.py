"""The real task worker: `manage.py db_worker` against a real database queue, in subprocesses.

The sites come from tests/worker_site.py: each test gets its own database (a copy of one
migrated once), media and work folders, and every subprocess has a time limit, so a hung
worker fails the test instead of hanging the run. A worker killed mid-transcode, on both task
backends (this one and RQ), is in tests/reliability/test_task_worker_kill.py; the RQ worker's
own tests are in tests/routines/test_rq_worker.py.
"""

import pytest

from routines.video import video_probe
from tests.routines.test_video import top_level_boxes, write_clip


@pytest.fixture
def site(sites, tmp_path):
    return sites.new(tmp_path / "site", "db")


def test_db_worker_processes_a_queued_video(site, tmp_path):
    clip = write_clip(tmp_path / "old.mkv", codec="mpeg4", size=(320, 180), seconds=2, audio=True)
    pk = site.enqueue(clip)
    assert site.video(pk)["status"] == "pending"
    assert site.tasks() == ["READY"]

    site.work_queue()

    video = site.video(pk)
    assert video["status"] == "ready", video["error_message"]
    assert site.tasks() == ["SUCCESSFUL"]
    playable = site.media / video["playable"]
    probe = video_probe(playable)
    assert (probe.video_codec, probe.pix_fmt, probe.audio_codec) == ("h264", "yuv420p", "aac")
    boxes = top_level_boxes(playable.read_bytes())
    assert boxes.index("moov") < boxes.index("mdat")
