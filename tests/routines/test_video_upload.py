"""Uploading videos in admin: checked at once, refused in plain words, nothing left behind."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.urls import reverse

from routines import upload
from routines.models import SMALL_VIDEO_MEDIA, Video
from routines.upload import RefusedUpload, SizeLimitedUploadHandler, upload_too_large_message
from routines.video import format_size
from tests.factories import make_stretch
from tests.routines.test_video import (
    write_audio_only,
    write_clip,
    write_image_named_mp4,
    write_text_named_mp4,
    write_truncated_mp4,
)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/routines/video/add/"
GOOD_VTT = b"WEBVTT\n\n00:00.000 --> 00:01.500\nBreathe in slowly.\n"


@pytest.fixture(autouse=True)
def upload_dirs(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    settings.PSOASAPP_VIDEO_WORK_DIR = tmp_path / "work"
    (tmp_path / "uploads").mkdir()
    return tmp_path / "uploads"


@pytest.fixture
def clip(tmp_path) -> Path:
    return write_clip(tmp_path / "clip.mp4", size=(320, 180), seconds=2, audio=True)


@pytest.fixture
def post(admin_client, django_capture_on_commit_callbacks):
    """POST to admin as a browser without JavaScript would, running tasks after commit."""

    def post(url: str, data: dict, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(url, data, headers=headers)

    return post


def a_file(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def field_errors(response, field: str) -> list[str]:
    return list(response.context["adminform"].form.errors.get(field, []))


# Accepting


def test_an_uploaded_video_is_saved_processed_and_ready(post, clip):
    response = post(ADD_URL, {"title": "Constructive rest", "original": a_file(clip)})
    assert response.status_code == 302
    video = Video.objects.get()
    assert video.status == Video.Status.READY, video.error_message
    assert video.playable.name.endswith(".mp4")
    assert video.poster and video.thumbnail


def test_stored_names_are_generated_and_the_given_name_kept(post, clip):
    post(ADD_URL, {"title": "Lunge", "original": a_file(clip, "../My lunge (final take).MOV")})
    video = Video.objects.get()
    assert re.fullmatch(r"videos/originals/[0-9a-f]{32}\.mov", video.original.name)
    assert video.original_name == "My lunge (final take).MOV"


def test_facts_show_straight_away_even_before_processing(admin_client, clip):
    """Without the commit (so without the task) the row already has what the form read."""
    admin_client.post(ADD_URL, {"title": "Lunge", "original": a_file(clip)})
    video = Video.objects.get()
    assert video.status == Video.Status.PENDING
    assert (video.width, video.height) == (320, 180)
    assert video.duration_seconds == pytest.approx(2, abs=0.1)


def test_the_add_form_says_the_limit_and_tells_the_script(admin_client, settings):
    settings.PSOASAPP_VIDEO_MAX_UPLOAD_BYTES = 2 * 1024**3
    page = admin_client.get(ADD_URL).content.decode()
    assert 'data-max-bytes="2147483648"' in page
    assert "up to 2 GB" in page
    assert 'accept="video/*' in page
    assert "js/upload-progress.js" in page
    assert "<progress" in page


def test_a_script_upload_is_told_where_to_go_instead_of_redirected(post, clip):
    response = post(
        ADD_URL,
        {"title": "Lunge", "original": a_file(clip), "_save": "Save"},
        X_Upload_Progress="1",
    )
    assert response.status_code == 200
    assert response.json() == {"location": reverse("admin:routines_video_changelist")}


def test_a_script_upload_with_errors_gets_the_form_page(post, tmp_path):
    notes = write_text_named_mp4(tmp_path / "notes.mp4")
    response = post(ADD_URL, {"title": "Lunge", "original": a_file(notes)}, X_Upload_Progress="1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "This file is not a video we can read." in response.content.decode()


# Refusing, and leaving nothing behind


REFUSALS = {
    "text named .mp4": (write_text_named_mp4, "This file is not a video we can read."),
    "audio only": (write_audio_only, "This file has sound but no picture."),
    "truncated": (write_truncated_mp4, "This video file is incomplete"),
    "image": (write_image_named_mp4, "it may be a still image rather than a video"),
}


@pytest.mark.parametrize("kind", REFUSALS)
@pytest.mark.parametrize("memory_size", [0, 10 * 1024 * 1024], ids=["on-disk", "in-memory"])
def test_what_is_not_a_readable_video_is_refused_and_nothing_is_kept(
    post, settings, tmp_path, media_root, upload_dirs, kind, memory_size
):
    """Big uploads arrive as temporary files, small ones in memory: both are probed."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = memory_size
    make, message = REFUSALS[kind]
    bad = make(tmp_path / "upload.mp4")
    response = post(ADD_URL, {"title": "Lunge", "original": a_file(bad)})
    assert response.status_code == 200
    [error] = field_errors(response, "original")
    assert message in error
    assert Video.objects.count() == 0
    assert files_in(media_root) == []
    assert files_in(upload_dirs) == [], "Django's temporary upload file is gone too"


def test_a_file_over_the_limit_is_refused_with_its_size(post, settings, clip, media_root):
    settings.PSOASAPP_VIDEO_MAX_UPLOAD_BYTES = clip.stat().st_size - 1
    response = post(ADD_URL, {"title": "Lunge", "original": a_file(clip)})
    [error] = field_errors(response, "original")
    assert error == (
        f"This file is {format_size(clip.stat().st_size)}; "
        f"the limit is {format_size(clip.stat().st_size - 1)}."
    )
    assert Video.objects.count() == 0
    assert files_in(media_root) == []


def test_the_size_message_reads_as_people_say_it():
    assert upload_too_large_message(round(2.4 * 1024**3), 2 * 1024**3) == (
        "This file is 2.4 GB; the limit is 2 GB."
    )


@pytest.mark.parametrize("memory_size", [0, 10 * 1024 * 1024], ids=["on-disk", "in-memory"])
def test_a_streamed_file_over_the_limit_is_refused_through_the_form(
    post, settings, tmp_path, media_root, upload_dirs, memory_size
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = memory_size
    settings.PSOASAPP_VIDEO_MAX_UPLOAD_BYTES = 100_000
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\0" * 300_000)
    response = post(ADD_URL, {"title": "Lunge", "original": a_file(big)})
    [error] = field_errors(response, "original")
    assert error == "This file is 293 KB; the limit is 97.7 KB."
    assert (Video.objects.count(), files_in(media_root), files_in(upload_dirs)) == (0, [], [])


# The upload handler on its own


def multipart(size: int, boundary: str = "BoUnDaRy") -> tuple[bytes, dict]:
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="title"\r\n\r\nLunge\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="original"; filename="big.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        + b"\0" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(len(body)),
    }
    return body, meta


@pytest.fixture
def written(monkeypatch) -> list[int]:
    """The bytes the temporary-file handler actually wrote, chunk by chunk."""
    chunks = []
    real = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self, raw_data, start):
        chunks.append(len(raw_data))
        return real(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    return chunks


def parse(body: bytes, meta: dict):
    handler = SizeLimitedUploadHandler()
    _, files = MultiPartParser(meta, io.BytesIO(body), [handler]).parse()
    return files["original"], handler


def test_the_handler_stops_writing_a_file_once_it_passes_the_limit(settings, written):
    settings.PSOASAPP_VIDEO_MAX_UPLOAD_BYTES = 150_000
    body, meta = multipart(300_000)
    # Content-Length alone does not give it away: the file is within the allowance for the
    # other parts, so the handler writes until the file itself passes the limit.
    refused, handler = parse(body, meta)
    assert isinstance(refused, RefusedUpload)
    assert refused.size == 300_000, "counted to the end, for an exact message"
    assert sum(written) <= 150_000
    assert handler.file.closed, "the partial temporary file is closed, and so deleted"
    assert refused.message == "This file is 293 KB; the limit is 146.5 KB."


def test_the_handler_writes_nothing_when_content_length_is_already_too_big(
    settings, monkeypatch, written
):
    settings.PSOASAPP_VIDEO_MAX_UPLOAD_BYTES = 150_000
    monkeypatch.setattr(upload, "OTHER_PARTS_ALLOWANCE_BYTES", 10_000)
    refused, _ = parse(*multipart(300_000))
    assert isinstance(refused, RefusedUpload)
    assert written == []


def test_the_handler_keeps_a_file_within_the_limit(settings, written):
    settings.PSOASAPP_VIDEO_MAX_UPLOAD_BYTES = 150_000
    kept, _ = parse(*multipart(100_000))
    assert not isinstance(kept, RefusedUpload)
    assert kept.size == 100_000
    assert Path(kept.temporary_file_path()).stat().st_size == 100_000


# Captions


def test_webvtt_captions_are_kept_and_played_as_a_track(post, client, clip):
    captions = SimpleUploadedFile("captions.vtt", GOOD_VTT, content_type="text/vtt")
    post(ADD_URL, {"title": "Lunge", "original": a_file(clip), "captions": captions})
    video = Video.objects.get()
    assert re.fullmatch(r"captions/[0-9a-f]{32}\.vtt", video.captions.name)
    stretch = make_stretch(title="Low lunge", video=video)
    html = client.get(stretch.get_absolute_url()).content.decode()
    assert f'<track kind="captions" src="{video.captions.url}"' in html
    assert " default>" in html


def test_captions_that_are_not_webvtt_are_refused(post, clip, media_root):
    srt = SimpleUploadedFile("captions.srt", b"1\n00:00:00,000 --> 00:00:01,500\nHello\n")
    response = post(ADD_URL, {"title": "Lunge", "original": a_file(clip), "captions": srt})
    [error] = field_errors(response, "captions")
    assert "looks like an SRT subtitle file" in error
    assert Video.objects.count() == 0
    assert files_in(media_root) == []


def test_an_html_page_named_like_captions_is_refused(post, clip, media_root):
    """A page would run its script if it were ever served as text/html from our origin."""
    page = b"<html><body><script>fetch('/admin/').then(r => r.text())</script></body></html>\n"
    captions = SimpleUploadedFile("captions.vtt", page, content_type="text/vtt")
    response = post(ADD_URL, {"title": "Lunge", "original": a_file(clip), "captions": captions})
    [error] = field_errors(response, "captions")
    assert error == "This is not a WebVTT captions file: its first line must be WEBVTT."
    assert Video.objects.count() == 0
    assert files_in(media_root) == []


def test_uploaded_captions_are_served_as_webvtt_never_sniffed(post, client, clip):
    captions = SimpleUploadedFile("captions.vtt", GOOD_VTT, content_type="text/vtt")
    post(ADD_URL, {"title": "Lunge", "original": a_file(clip), "captions": captions})
    response = client.get(Video.objects.get().captions.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == GOOD_VTT
    assert response["Content-Type"] == "text/vtt"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Disposition" not in response


# Changing, reprocessing, listing


def change_url(video: Video) -> str:
    return reverse("admin:routines_video_change", args=[video.pk])


def test_replacing_the_file_reprocesses_it_and_deletes_the_old_files(
    post, clip, tmp_path, media_root
):
    post(ADD_URL, {"title": "Lunge", "original": a_file(clip)})
    video = Video.objects.get()
    old = {p.relative_to(media_root) for p in files_in(media_root)}
    assert len(old) == 5  # original, two renditions, poster, thumbnail
    second = write_clip(tmp_path / "second.mkv", codec="mpeg4", size=(320, 180), audio=True)
    response = post(change_url(video), {"title": "Lunge", "original": a_file(second)})
    assert response.status_code == 302
    video.refresh_from_db()
    assert (video.status, video.original_name, video.video_codec) == (
        "ready",
        "second.mkv",
        "mpeg4",
    )
    now = {p.relative_to(media_root) for p in files_in(media_root)}
    assert len(now) == 5 and not old & now


def test_editing_the_title_leaves_the_files_and_the_processing_alone(post, clip, media_root):
    post(ADD_URL, {"title": "Lunge", "original": a_file(clip)})
    video = Video.objects.get()
    before = sorted(files_in(media_root))
    post(change_url(video), {"title": "Low lunge"})
    after = Video.objects.get()
    assert (after.title, after.status, after.playable.name) == (
        "Low lunge",
        "ready",
        video.playable.name,
    )
    assert sorted(files_in(media_root)) == before


def test_the_reprocess_action_queues_the_videos_again(post, clip, media_root):
    post(ADD_URL, {"title": "Lunge", "original": a_file(clip)})
    video = Video.objects.get()
    response = post(
        reverse("admin:routines_video_changelist"),
        {"action": "reprocess", "_selected_action": [video.pk]},
    )
    assert response.status_code == 302
    again = Video.objects.get()
    assert again.status == Video.Status.READY
    assert again.playable.name != video.playable.name
    assert again.playable_small.name != video.playable_small.name
    assert len(files_in(media_root)) == 5, "the files of the first run are gone"


def test_the_list_shows_status_duration_size_and_poster(post, admin_client, clip):
    post(ADD_URL, {"title": "Lunge", "original": a_file(clip)})
    page = admin_client.get(reverse("admin:routines_video_changelist")).content.decode()
    assert 'class="video-status video-status--ready">Ready<' in page
    assert ">0:02<" in page
    assert ">320×180<" in page
    assert 'class="video-thumbnail"' in page
    assert 'http-equiv="refresh"' not in page, "nothing in progress, nothing to refresh for"


def test_the_list_refreshes_itself_while_a_video_is_in_progress(admin_client, clip):
    admin_client.post(ADD_URL, {"title": "Lunge", "original": a_file(clip)})  # never processed
    page = admin_client.get(reverse("admin:routines_video_changelist")).content.decode()
    assert 'http-equiv="refresh"' in page
    assert "video-status--pending" in page


def test_the_change_page_plays_the_result(post, admin_client, clip):
    captions = SimpleUploadedFile("captions.vtt", GOOD_VTT)
    post(ADD_URL, {"title": "Lunge", "original": a_file(clip), "captions": captions})
    video = Video.objects.get()
    page = admin_client.get(change_url(video)).content.decode()
    assert "<video controls" in page
    assert (
        f'<source src="{video.playable_small.url}" type="video/mp4" media="{SMALL_VIDEO_MEDIA}">'
        f'\n      <source src="{video.playable.url}" type="video/mp4">'
    ) in page
    assert '<track kind="captions"' in page
    assert "Default (up to 720p): H.264/AAC MP4, 320×180" in page
    assert "Small (up to 360p: phones, saved for offline): H.264/AAC MP4, 320×180" in page


def test_the_change_page_says_when_a_video_has_no_small_rendition_yet(post, admin_client, clip):
    """A row processed before there were two sizes: one <source>, and how to make the other."""
    post(ADD_URL, {"title": "Lunge", "original": a_file(clip)})
    video = Video.objects.get()
    Video.objects.filter(pk=video.pk).update(playable_small="", playable_small_width=None)
    page = admin_client.get(change_url(video)).content.decode()
    assert f'<source src="{video.playable.url}" type="video/mp4">' in page
    assert video.playable_small.url not in page and "media=" not in page
    assert "Small (up to 360p: phones, saved for offline): not made yet" in page


def test_the_change_page_shows_a_failure_in_plain_words(admin_client):
    video = Video.objects.create(
        title="Broken", status=Video.Status.FAILED, error_message="This file is not a video."
    )
    page = admin_client.get(change_url(video)).content.decode()
    assert "could not be prepared" in page
    assert "This file is not a video." in page
    assert "<video" not in page
