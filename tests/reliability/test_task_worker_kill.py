"""kill -9 of a task worker mid-transcode, on both task backends, and the recovery.

The worker (and, with RQ, the work horse it forked for the job) dies as it would in a crash
or an out-of-memory kill. Neither backend runs that job again by itself: the reaper
(`manage.py reap_videos`) sees the video's heartbeat stop, queues it again, and a new
worker finishes it from the original, which nothing touched. Runnable alone:
`pytest tests/reliability/test_task_worker_kill.py`.
"""

import hashlib
import time

import pytest

from tests.worker_site import write_noise_clip

# What the dead worker's own task says once the reaper is done. django-tasks-db would keep
# it RUNNING for ever, so the reaper marks it failed; RQ records it failed itself
# (AbandonedJobError) when its heartbeat has been silent for 90 s and a worker next tidies up.
LOST_TASK_AFTER_REAP = {"db": "FAILED", "rq": "RUNNING"}


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("backend", ["db", "rq"])
def test_a_worker_killed_mid_transcode_is_recovered_by_the_reaper(sites, tmp_path, backend):
    site = sites.new(tmp_path / "site", backend)
    pk = site.enqueue(write_noise_clip(tmp_path / "noise.mkv"))
    original = site.media / site.video(pk)["original"]
    original_digest = digest(original)
    lost_task = site.video(pk)["task_result_id"]

    with site.worker() as worker:
        # Kill it once a heartbeat has reported progress: mid-transcode.
        deadline = time.monotonic() + 60
        while not (
            (video := site.video(pk))["status"] == "processing" and video["progress_percent"]
        ):
            assert time.monotonic() < deadline, "the worker never got going on the video"
            assert worker.poll() is None, (site.root / "worker.log").read_text()
            assert video["status"] != "ready", "transcoded too quickly to interrupt"
            time.sleep(0.05)
    # Leaving the block SIGKILLed the worker's whole process group.

    # What the crash leaves: the task still marked running, the video processing, no output.
    assert site.task_status(lost_task) == "RUNNING"
    assert site.video(pk)["status"] == "processing"
    assert site.media_files() == [site.video(pk)["original"]]
    assert list(site.work.iterdir()), "the killed run's work folder is left over"

    out = site.manage("reap_videos", "--stale-after", "0")
    assert "Queued “Queued”" in out
    assert "Removed abandoned work folder" in out
    video = site.video(pk)
    assert video["status"] == "pending"
    assert video["task_result_id"] not in {"", lost_task}
    assert site.task_status(video["task_result_id"]) == "READY"
    assert site.task_status(lost_task) == LOST_TASK_AFTER_REAP[backend]

    site.work_queue()

    video = site.video(pk)
    assert video["status"] == "ready", video["error_message"]
    assert video["attempts"] == 2
    assert site.task_status(video["task_result_id"]) == "SUCCESSFUL"
    assert digest(original) == original_digest, "the original is kept as uploaded"
    made = [
        video[name] for name in ("original", "playable", "playable_small", "poster", "thumbnail")
    ]
    assert site.media_files() == sorted(made), "nothing half-written or orphaned"
    assert list(site.work.iterdir()) == []
