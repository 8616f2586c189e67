"""Videos on S3: uploaded in admin, processed from the bucket, played and seeked from presigned
URLs, and removed from the bucket with the row. Tasks run in-process (ImmediateBackend)."""

import html
import re
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from routines.models import Video
from routines.video import video_probe
from tests.factories import make_stretch
from tests.routines.test_video import top_level_boxes, write_clip

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/routines/video/add/"
CAPTIONS = b"WEBVTT\n\n00:00.000 --> 00:01.500\nBreathe in slowly.\n"


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """An old camera's MPEG-4 in Matroska, so processing has to transcode it."""
    folder = tmp_path_factory.mktemp("clips")
    return write_clip(
        folder / "camera.mkv", codec="mpeg4", size=(320, 180), seconds=2, fps=25, audio=True
    )


@pytest.fixture
def upload(admin_client, django_capture_on_commit_callbacks, clip):
    """Send the clip through the Video add page, committing (and so processing) or not."""

    def upload(*, commit: bool = True, **extra) -> Video:
        data = {
            "title": "Supported bridge",
            "original": SimpleUploadedFile(clip.name, clip.read_bytes()),
            **extra,
        }
        with django_capture_on_commit_callbacks(execute=commit):
            response = admin_client.post(ADD_URL, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        return Video.objects.get()

    return upload


def fetch(url: str, **headers: str):
    """GET `url` from the S3 server as a browser would, with no credentials but the URL's."""
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30)


def assert_presigned_for(url: str, bucket, key: str) -> None:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == bucket.endpoint
    assert parts.path == f"/{bucket.name}/{key}"
    query = parse_qs(parts.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["3600"]
    assert query["X-Amz-Signature"]


def source_src(page: str, *, small: bool = False) -> str:
    """The 720p <source>'s URL, or the 360p one's (the one with a media query) if `small`."""
    pattern = r'<source src="([^"]+)" type="video/mp4"' + (r' media="[^"]+">' if small else ">")
    [src] = re.findall(pattern, page)
    return html.unescape(src)


def made_names(video: Video) -> set[str]:
    """The names of the original and everything processing made from it."""
    return {
        video.original.name,
        video.playable.name,
        video.playable_small.name,
        video.poster.name,
        video.thumbnail.name,
    }


def test_an_admin_upload_stores_the_original_in_the_bucket(upload, s3_bucket, clip, media_root):
    video = upload(commit=False)
    assert video.status == Video.Status.PENDING
    assert s3_bucket.object_names() == {video.original.name}
    assert s3_bucket.read(video.original.name) == clip.read_bytes(), "kept byte for byte"
    assert not any(media_root.iterdir()), "nothing written to the local media folder"


def test_processing_reads_the_original_from_the_bucket_and_writes_results_back(
    upload, s3_bucket, scratch_dirs, tmp_path
):
    video = upload()
    assert video.status == Video.Status.READY, video.error_message
    assert s3_bucket.object_names() == made_names(video)
    assert not any((scratch_dirs / "work").iterdir()), "the local copy of the original is gone"

    for name, size_bytes in [
        (video.playable.name, video.playable_size_bytes),
        (video.playable_small.name, video.playable_small_size_bytes),
    ]:
        playable = tmp_path / "playable.mp4"
        playable.write_bytes(s3_bucket.read(name))
        probe = video_probe(playable)
        assert (probe.video_codec, probe.audio_codec) == ("h264", "aac")
        assert probe.size_bytes == size_bytes
        boxes = top_level_boxes(playable.read_bytes())
        assert boxes.index("moov") < boxes.index("mdat"), "faststart, so playback starts at once"
    assert s3_bucket.read(video.poster.name).startswith(b"\xff\xd8"), "a JPEG poster"


def test_the_stretch_page_video_is_presigned_and_seeks_with_range(client, upload, s3_bucket):
    video = upload()
    stretch = make_stretch(title="Supported bridge", video=video)

    page = client.get(stretch.get_absolute_url()).content.decode()

    for src, name in [
        (source_src(page), video.playable.name),
        (source_src(page, small=True), video.playable_small.name),
    ]:
        assert_presigned_for(src, s3_bucket, name)
        whole = s3_bucket.read(name)
        assert len(whole) > 2000
        with fetch(src, Range="bytes=1000-1999") as response:
            assert response.status == 206
            assert response.headers["Content-Range"] == f"bytes 1000-1999/{len(whole)}"
            assert response.read() == whole[1000:2000]


def test_the_stretch_page_poster_loads_from_the_bucket(client, upload, s3_bucket):
    video = upload()
    stretch = make_stretch(title="Supported bridge", video=video)

    page = client.get(stretch.get_absolute_url()).content.decode()

    [poster] = re.findall(r'<video [^>]*poster="([^"]+)"', page)
    poster = html.unescape(poster)
    assert_presigned_for(poster, s3_bucket, video.poster.name)
    with fetch(poster) as response:
        assert response.read() == s3_bucket.read(video.poster.name)


def test_a_media_link_redirects_to_a_presigned_url_that_seeks(client, upload, s3_bucket):
    """An old /media/ link (or one shared before the move to S3) still plays, from the bucket."""
    video = upload()

    response = client.get(f"/media/{video.playable.name}")

    assert response.status_code == 302
    assert_presigned_for(response["Location"], s3_bucket, video.playable.name)
    whole = s3_bucket.read(video.playable.name)
    with fetch(response["Location"], Range="bytes=-500") as ranged:
        assert ranged.status == 206
        assert ranged.read() == whole[-500:]


def test_an_unsigned_bucket_url_is_refused(upload, s3_bucket):
    """The bucket is private: only the presigned URL the site hands out reads a file."""
    video = upload()
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(f"{s3_bucket.endpoint}/{s3_bucket.name}/{video.playable.name}")
    assert refused.value.code == 403


def test_deleting_a_video_in_admin_removes_all_its_objects(
    admin_client, upload, s3_bucket, django_capture_on_commit_callbacks
):
    video = upload(captions=SimpleUploadedFile("captions.vtt", CAPTIONS))
    assert video.captions and video.captions.name in s3_bucket.object_names()
    # The original, both renditions, the poster, the thumbnail and the captions.
    assert s3_bucket.object_names() == made_names(video) | {video.captions.name}

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/routines/video/{video.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Video.objects.exists()
    assert s3_bucket.object_names() == set()


def test_replacing_the_original_removes_the_old_files_from_the_bucket(
    admin_client, upload, s3_bucket, django_capture_on_commit_callbacks, tmp_path
):
    video = upload()
    old = s3_bucket.object_names()
    other = write_clip(tmp_path / "other.mp4", size=(160, 90), seconds=1, audio=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/routines/video/{video.pk}/change/",
            {"title": video.title, "original": SimpleUploadedFile(other.name, other.read_bytes())},
        )

    assert response.status_code == 302, response.content.decode()[:2000]
    video.refresh_from_db()
    assert video.status == Video.Status.READY, video.error_message
    names = made_names(video)
    assert s3_bucket.object_names() == names
    assert not old & names


def test_admin_shows_the_processed_video_from_the_bucket(admin_client, upload, s3_bucket):
    video = upload()

    listing = admin_client.get("/admin/routines/video/")
    change = admin_client.get(f"/admin/routines/video/{video.pk}/change/")

    assert listing.status_code == change.status_code == 200
    [thumbnail] = re.findall(
        r'<img class="video-thumbnail" src="([^"]+)"', listing.content.decode()
    )
    assert_presigned_for(html.unescape(thumbnail), s3_bucket, video.thumbnail.name)
    assert source_src(change.content.decode()).startswith(
        f"{s3_bucket.endpoint}/{s3_bucket.name}/{video.playable.name}?"
    )
