"""Demo clips, probing, posters and the first pass after upload (routines/video.py)."""

import io
import struct
from dataclasses import replace
from pathlib import Path

import av
import pytest
from django.core.files.base import ContentFile
from model_bakery import baker
from PIL import Image

from routines.demo_media import demo_video_bytes, demo_video_write
from routines.models import Video
from routines.video import (
    ProbeResult,
    VideoProbeError,
    video_ingest,
    video_make_poster,
    video_probe,
)


def write_clip(
    path: Path,
    *,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    seconds: float = 1,
    faststart: bool = True,
    rotation: int = 0,
) -> Path:
    """A small silent clip made with PyAV, for files the demo generator never makes."""
    fps = 12
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 90, pix_fmt
        if rotation:
            stream.set_display_rotation(rotation)
        for index in range(round(seconds * fps)):
            image = Image.new("RGB", (160, 90), (index * 20 % 255, 120, 140))
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def write_audio_only(path: Path, *, seconds: float = 1) -> Path:
    rate = 48_000
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate, layout="mono")
        for start in range(0, round(seconds * rate), 1024):
            frame = av.AudioFrame(format="s16", layout="mono", samples=1024)
            frame.planes[0].update(bytes(2 * 1024))
            frame.sample_rate, frame.pts = rate, start
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def top_level_boxes(data: bytes) -> list[str]:
    """The types of an MP4's top-level boxes, in file order."""
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        elif size == 0:
            size = len(data) - offset
        boxes.append(kind.decode("latin-1"))
        offset += size
    return boxes


@pytest.fixture(scope="module")
def demo_clip() -> bytes:
    return demo_video_bytes("Constructive rest", seconds=3)


@pytest.fixture
def demo_path(tmp_path, demo_clip) -> Path:
    path = tmp_path / "demo.mp4"
    path.write_bytes(demo_clip)
    return path


def upload(data: bytes, name: str = "upload.mp4") -> Video:
    return baker.make(Video, title="Upload", original=ContentFile(data, name=name))


# The demo clip generator


def test_demo_video_is_h264_and_aac_in_yuv420p(demo_path):
    probe = video_probe(demo_path)
    assert (probe.video_codec, probe.audio_codec, probe.pix_fmt) == ("h264", "aac", "yuv420p")


def test_demo_video_lasts_the_requested_time(demo_path):
    assert video_probe(demo_path).duration_seconds == pytest.approx(3, abs=0.1)


def test_demo_video_has_the_requested_size_and_rate(tmp_path):
    path = tmp_path / "small.mp4"
    demo_video_write(path, "Small", seconds=1, size=(320, 180), fps=12, pose="prone")
    probe = video_probe(path)
    assert (probe.width, probe.height, probe.frame_rate) == (320, 180, 12.0)


def test_demo_video_puts_its_index_before_the_media(demo_clip):
    """faststart: the moov box comes before mdat, so playback starts before the download ends."""
    boxes = top_level_boxes(demo_clip)
    assert boxes.index("moov") < boxes.index("mdat")


def test_demo_video_is_web_safe(demo_path):
    assert video_probe(demo_path).is_web_safe


def test_demo_video_refuses_an_unknown_pose(tmp_path):
    with pytest.raises(ValueError, match="pose"):
        demo_video_write(tmp_path / "x.mp4", "Title", pose="handstand")


# Probing


def test_probe_refuses_a_text_file_named_mp4(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("These are my notes, not a video.\n" * 20)
    with pytest.raises(VideoProbeError, match="not a video we can read"):
        video_probe(path)


def test_probe_refuses_an_audio_only_file(tmp_path):
    path = write_audio_only(tmp_path / "song.mp4")
    with pytest.raises(VideoProbeError, match="sound but no picture"):
        video_probe(path)


def test_probe_refuses_a_still_image(tmp_path):
    path = tmp_path / "photo.mp4"
    Image.new("RGB", (64, 64), "teal").save(path, "PNG")
    with pytest.raises(VideoProbeError, match="no running time"):
        video_probe(path)


def test_probe_refuses_a_faststart_mp4_cut_in_half(tmp_path, demo_clip):
    """The index survives at the front, so the file opens; the missing media must still show."""
    path = tmp_path / "half.mp4"
    path.write_bytes(demo_clip[: len(demo_clip) // 2])
    with pytest.raises(VideoProbeError, match="incomplete"):
        video_probe(path)


def test_probe_refuses_an_mp4_cut_before_its_index(tmp_path):
    whole = write_clip(tmp_path / "whole.mp4", faststart=False).read_bytes()
    path = tmp_path / "half.mp4"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(VideoProbeError, match="not a video we can read"):
        video_probe(path)


def test_probe_refuses_a_missing_file(tmp_path):
    with pytest.raises(VideoProbeError, match="missing"):
        video_probe(tmp_path / "gone.mp4")


def test_probe_reports_a_silent_video_without_audio_codec(tmp_path):
    probe = video_probe(write_clip(tmp_path / "silent.mp4"))
    assert probe.audio_codec == ""
    assert probe.is_web_safe


@pytest.mark.parametrize(
    "change",
    [
        {"video_codec": "hevc"},
        {"pix_fmt": "yuv444p"},
        {"audio_codec": "opus"},
        {"format_name": "matroska,webm"},
    ],
    ids=["hevc", "yuv444p", "opus", "matroska"],
)
def test_probe_result_is_not_web_safe_outside_h264_yuv420p_aac_mp4(change):
    safe = ProbeResult(
        duration_seconds=10,
        width=640,
        height=360,
        frame_rate=24,
        video_codec="h264",
        audio_codec="aac",
        bit_rate=100_000,
        pix_fmt="yuv420p",
        format_name="mov,mp4,m4a,3gp,3g2,mj2",
        size_bytes=1000,
    )
    assert safe.is_web_safe
    assert not replace(safe, **change).is_web_safe


# Posters


def test_poster_is_a_decodable_jpeg(demo_path):
    image = Image.open(io.BytesIO(video_make_poster(demo_path)))
    image.load()
    assert (image.format, image.size) == ("JPEG", (640, 360))


def test_poster_is_at_most_1280_wide(tmp_path):
    path = tmp_path / "big.mp4"
    demo_video_write(path, "Big", seconds=1, size=(1920, 1080), fps=6)
    image = Image.open(io.BytesIO(video_make_poster(path)))
    assert image.size == (1280, 720)


def test_poster_of_a_sideways_phone_video_stands_upright(tmp_path):
    """Phones store portrait video as landscape plus a turn to apply; the poster applies it."""
    path = write_clip(tmp_path / "phone.mp4", rotation=-90)
    assert Image.open(io.BytesIO(video_make_poster(path))).size == (90, 160)


def test_poster_follows_the_requested_time(demo_path):
    assert video_make_poster(demo_path, at_seconds=0) != video_make_poster(demo_path, at_seconds=2)


# Ingest after upload


@pytest.mark.django_db
def test_ingest_marks_a_web_safe_upload_ready_with_its_facts(demo_clip):
    video = video_ingest(upload(demo_clip))
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert (video.width, video.height) == (640, 360)
    assert (video.video_codec, video.audio_codec) == ("h264", "aac")
    assert video.duration_seconds == pytest.approx(3, abs=0.1)
    assert video.size_bytes == len(demo_clip)


@pytest.mark.django_db
def test_ingest_serves_a_web_safe_original_as_it_is(demo_clip):
    video = video_ingest(upload(demo_clip))
    assert video.playable.name == video.original.name
    assert video.playable_url


@pytest.mark.django_db
def test_ingest_saves_a_poster(demo_clip):
    video = video_ingest(upload(demo_clip))
    assert video.poster.name.endswith(".jpg")
    assert Image.open(video.poster.path).format == "JPEG"


@pytest.mark.django_db
def test_ingest_keeps_an_existing_poster(demo_clip):
    video = upload(demo_clip)
    video.poster.save("mine.jpg", ContentFile(b"teacher's own poster"))
    name = video.poster.name
    assert video_ingest(video).poster.name == name


@pytest.mark.django_db
def test_ingest_leaves_a_video_that_needs_transcoding_pending(tmp_path):
    clip = write_clip(tmp_path / "old.mp4", codec="mpeg4").read_bytes()
    video = video_ingest(upload(clip))
    assert video.status == Video.Status.PENDING
    assert video.video_codec == "mpeg4"
    assert not video.playable
    assert video.poster


@pytest.mark.django_db
def test_ingest_marks_a_non_video_failed_with_a_plain_message():
    video = video_ingest(upload(b"just some text, not a video\n" * 20, name="notes.mp4"))
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED
    assert video.error_message == "This file is not a video we can read."
    assert not video.playable
    assert not video.poster


@pytest.mark.django_db
def test_ingest_clears_an_earlier_failure(demo_clip):
    video = upload(demo_clip)
    video.status, video.error_message = Video.Status.FAILED, "Something went wrong."
    assert video_ingest(video).error_message == ""
