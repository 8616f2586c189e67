"""The RQ task worker (`manage.py rqworker`) on a real Redis, in subprocesses: videos queued
with django-tasks-rq are processed, and a queue that lost its jobs is recovered by the reaper.
"""

import pytest
import redis

from routines.video import video_probe
from tests.routines.test_video import top_level_boxes, write_clip


@pytest.fixture
def site(sites, tmp_path):
    return sites.new(tmp_path / "site", "rq")


def clip(tmp_path, name: str = "old.mkv"):
    return write_clip(tmp_path / name, codec="mpeg4", size=(320, 180), seconds=2, audio=True)


def test_rq_worker_processes_a_queued_video(site, tmp_path):
    pk = site.enqueue(clip(tmp_path))
    video = site.video(pk)
    assert video["status"] == "pending"
    assert site.task_status(video["task_result_id"]) == "READY"
    assert site.queued_count() == 1

    site.work_queue()

    video = site.video(pk)
    assert video["status"] == "ready", video["error_message"]
    assert site.task_status(video["task_result_id"]) == "SUCCESSFUL"
    assert site.queued_count() == 0
    playable = site.media / video["playable"]
    probe = video_probe(playable)
    assert (probe.video_codec, probe.pix_fmt, probe.audio_codec) == ("h264", "yuv420p", "aac")
    boxes = top_level_boxes(playable.read_bytes())
    assert boxes.index("moov") < boxes.index("mdat"), "faststart: playable while it loads"
    for name in ("poster", "thumbnail"):
        assert (site.media / video[name]).stat().st_size > 0, name


def test_the_reaper_queues_again_only_the_videos_whose_jobs_redis_lost(site, tmp_path):
    """Redis restarted without its data: the lost video is queued again, the other not twice."""
    lost = site.enqueue(clip(tmp_path, "lost.mkv"), title="Lost")
    redis.Redis.from_url(site.redis_url).flushdb()
    waiting = site.enqueue(clip(tmp_path, "waiting.mkv"), title="Waiting")
    waiting_task = site.video(waiting)["task_result_id"]

    out = site.manage("reap_videos", "--stale-after", "0")

    assert "Queued “Lost”" in out and "Waiting" not in out
    assert site.video(waiting)["task_result_id"] == waiting_task
    assert site.queued_count() == 2
    site.work_queue()
    for pk in (lost, waiting):
        video = site.video(pk)
        assert video["status"] == "ready", video["error_message"]
    assert site.queued_count() == 0
