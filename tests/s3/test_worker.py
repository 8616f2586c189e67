"""The real task worker on S3: `manage.py db_worker` in a subprocess whose environment points
media at the test S3 server processes a video queued by another process, from the bucket."""

import pytest

from tests.routines.test_video import write_clip


@pytest.fixture
def site(sites, tmp_path, s3_bucket):
    """A site of tests/worker_site.py on django-tasks-db, with its media in the bucket."""
    return sites.new(tmp_path / "site", "db", **s3_bucket.env)


def test_db_worker_processes_a_video_from_the_bucket(site, s3_bucket, tmp_path):
    clip = write_clip(tmp_path / "old.mkv", codec="mpeg4", size=(320, 180), seconds=2, audio=True)
    pk = site.enqueue(clip)
    assert site.video(pk)["status"] == "pending"
    assert s3_bucket.object_names() == {site.video(pk)["original"]}

    site.work_queue()

    video = site.video(pk)
    assert video["status"] == "ready", video["error_message"]
    assert site.tasks() == ["SUCCESSFUL"]
    made = {
        video[name] for name in ("original", "playable", "playable_small", "poster", "thumbnail")
    }
    assert s3_bucket.object_names() == made
    assert s3_bucket.read(video["original"]) == clip.read_bytes()
    assert not (site.root / "media").exists(), "no local media folder was needed"
    assert list((site.root / "work").iterdir()) == [], "the worker's local copy is gone"
