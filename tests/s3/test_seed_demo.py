"""Demo content on S3: `manage.py seed_demo` puts every video, poster and image in the bucket,
leaves nothing else there, and a second run finds it all and makes nothing again."""

from io import StringIO

import pytest
from django.core.management import call_command

from blog.images import stored_names
from blog.models import AuthorProfile, Figure, Post
from routines.models import Video

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_demo_clips")]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def demo_files() -> set[str]:
    """The name of every file the demo rows point at."""
    names = {f.name for video in Video.objects.all() for f in video.stored_files()}
    for model, field in [(Post, "image"), (Figure, "image"), (AuthorProfile, "avatar")]:
        for row in model.objects.all():
            names.update(stored_names(getattr(row, f"{field}_renditions")))
    return names


def test_seed_demo_puts_the_demo_media_in_the_bucket(s3_bucket, media_root):
    seed()

    videos = list(Video.objects.all())
    assert videos and all(video.status == Video.Status.READY for video in videos)
    assert all(video.playable and video.poster and video.thumbnail for video in videos)
    assert Post.objects.exclude(image="").exists()
    assert s3_bucket.object_names() == demo_files(), "every demo file there, nothing orphaned"
    assert not any(media_root.iterdir()), "nothing written to the local media folder"


def test_seed_demo_run_again_finds_the_media_in_the_bucket(s3_bucket):
    seed()
    before = s3_bucket.object_names()

    assert "0 rows created, 0 videos made" in seed()
    assert s3_bucket.object_names() == before
