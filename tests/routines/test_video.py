"""Demo clips, probing, posters, thumbnails, captions and sizes (routines/video.py).

The clip makers here write small real videos with PyAV; the pipeline, upload and worker tests
use them too.
"""

import io
import random
import struct
from dataclasses import replace
from pathlib import Path

import av
import pytest
from PIL import Image

from routines.demo_media import demo_video_bytes, demo_video_write
from routines.video import (
    CaptionsError,
    ProbeResult,
    VideoProbeError,
    captions_validate,
    format_size,
    playable_size,
    video_make_poster,
    video_make_thumbnail,
    video_probe,
    video_validate,
)

CONTAINERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska"}


def write_clip(
    path: Path,
    *,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    size: tuple[int, int] = (160, 90),
    seconds: float = 1,
    fps: int = 12,
    faststart: bool = True,
    rotation: int = 0,
    audio: bool = False,
    noise: bool = False,
) -> Path:
    """A small clip made with PyAV, in the container its suffix names, for files the demo
    generator never makes: other codecs, phone rotation, no faststart, odd sizes, and (with
    `noise`) pictures no encoder can squeeze."""
    container_format = CONTAINERS[path.suffix]
    options = {"movflags": "+faststart"} if faststart and container_format != "matroska" else {}
    width, height = size
    codec_options = {"x265-params": "log-level=error"} if codec == "libx265" else {}
    with av.open(str(path), "w", format=container_format, options=options) as container:
        stream = container.add_stream(codec, rate=fps, options=codec_options)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if rotation:
            stream.set_display_rotation(rotation)
        sound = container.add_stream("aac", rate=48_000, layout="mono") if audio else None
        samples_done = 0
        for index in range(round(seconds * fps)):
            # A bar moving across, so every frame differs and a seek shows where it landed.
            if noise:
                image = Image.frombytes(
                    "RGB", size, random.Random(index).randbytes(width * height * 3)
                )
            else:
                image = Image.new("RGB", size, (40, 120, 140))
                x = index * width // max(1, round(seconds * fps))
                image.paste((240, 200, 80), (x, 0, min(width, x + max(2, width // 10)), height))
            frame = av.VideoFrame.from_image(image).reformat(format=pix_fmt)
            frame.pts = index
            container.mux(stream.encode(frame))
            if sound is not None:
                samples_due = round((index + 1) * 48_000 / fps)
                container.mux(sound.encode(_silence(samples_done, samples_due - samples_done)))
                samples_done = samples_due
        container.mux(stream.encode(None))
        if sound is not None:
            container.mux(sound.encode(None))
    return path


def _silence(start: int, samples: int) -> av.AudioFrame:
    frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
    frame.planes[0].update(bytes(2 * samples))
    frame.sample_rate, frame.pts = 48_000, start
    return frame


def write_audio_only(path: Path, *, seconds: float = 1) -> Path:
    rate = 48_000
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate, layout="mono")
        for start in range(0, round(seconds * rate), 1024):
            container.mux(stream.encode(_silence(start, 1024)))
        container.mux(stream.encode(None))
    return path


def write_text_named_mp4(path: Path) -> Path:
    path.write_text("These are my notes, not a video.\n" * 20)
    return path


def write_truncated_mp4(path: Path) -> Path:
    """A faststart MP4 cut in half: it opens and claims its full length, but half is gone."""
    whole = write_clip(path.with_name("whole-" + path.name), seconds=2, audio=True).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def write_image_named_mp4(path: Path) -> Path:
    Image.new("RGB", (64, 64), "teal").save(path, "PNG")
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
    path = write_text_named_mp4(tmp_path / "notes.mp4")
    with pytest.raises(VideoProbeError, match="not a video we can read"):
        video_probe(path)


def test_probe_refuses_an_audio_only_file(tmp_path):
    path = write_audio_only(tmp_path / "song.mp4")
    with pytest.raises(VideoProbeError, match="sound but no picture"):
        video_probe(path)


def test_probe_refuses_a_still_image(tmp_path):
    path = write_image_named_mp4(tmp_path / "photo.mp4")
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


# Probing what phones and cameras make


def test_probe_reports_a_portrait_phone_video_as_displayed(tmp_path):
    """Stored landscape with a quarter turn to apply: the recorded size is the upright one."""
    probe = video_probe(write_clip(tmp_path / "phone.mov", size=(160, 90), rotation=-90))
    assert (probe.width, probe.height, probe.rotation) == (90, 160, -90)
    assert not probe.is_web_safe, "browsers would be relied on to turn it"


def test_probe_refuses_a_playlist_named_mp4(tmp_path):
    """FFmpeg may only read uploads as the video containers we name, never as a playlist."""
    path = tmp_path / "list.mp4"
    path.write_text("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nother.ts\n#EXT-X-ENDLIST\n")
    with pytest.raises(VideoProbeError, match="not a video we can read"):
        video_probe(path)


def test_probe_reads_hevc_in_mkv(tmp_path):
    probe = video_probe(write_clip(tmp_path / "clip.mkv", codec="libx265", audio=True))
    assert (probe.video_codec, probe.audio_codec, probe.format_name) == (
        "hevc",
        "aac",
        "matroska,webm",
    )


def test_validate_decodes_a_picture(tmp_path):
    probe = video_validate(write_clip(tmp_path / "clip.mp4"))
    assert probe.duration_seconds == pytest.approx(1, abs=0.1)


def test_validate_refuses_what_probe_refuses(tmp_path):
    with pytest.raises(VideoProbeError, match="sound but no picture"):
        video_validate(write_audio_only(tmp_path / "song.m4a"))


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((640, 360), (640, 360)),
        ((1920, 1080), (1280, 720)),
        ((3840, 2160), (1280, 720)),
        ((1080, 1920), (720, 1280)),
        ((1440, 1080), (960, 720)),
        ((720, 720), (720, 720)),
        ((161, 91), (160, 92)),
    ],
)
def test_playable_size_is_at_most_720p_either_way_up_with_even_sides(size, expected):
    assert playable_size(*size) == expected


@pytest.mark.parametrize(
    "change",
    [
        {"rotation": -90},
        {"width": 1920, "height": 1080},
        {"bit_rate": 20_000_000},
        {"frame_rate": 240},
    ],
    ids=["rotated", "1080p", "heavy", "slow-motion"],
)
def test_probe_result_is_not_web_safe_when_we_would_make_it_smaller_or_upright(change):
    safe = ProbeResult(
        duration_seconds=10,
        width=640,
        height=360,
        frame_rate=30,
        video_codec="h264",
        audio_codec="aac",
        bit_rate=1_000_000,
        pix_fmt="yuv420p",
        format_name="mov,mp4,m4a,3gp,3g2,mj2",
        size_bytes=1000,
    )
    assert safe.is_web_safe
    assert not replace(safe, **change).is_web_safe


# Thumbnails


@pytest.mark.parametrize(
    ("size", "expected"), [((1280, 720), (320, 180)), ((720, 1280), (180, 320))]
)
def test_thumbnail_fits_a_320_pixel_box(size, expected):
    poster = io.BytesIO()
    Image.new("RGB", size, "teal").save(poster, "JPEG")
    thumbnail = Image.open(io.BytesIO(video_make_thumbnail(poster.getvalue())))
    assert (thumbnail.format, thumbnail.size) == ("JPEG", expected)


def test_thumbnail_refuses_what_is_not_an_image():
    with pytest.raises(VideoProbeError, match="not an image"):
        video_make_thumbnail(b"not an image")


# Captions

GOOD_VTT = """WEBVTT

00:00.000 --> 00:02.500
Lie on your back with your knees bent.

00:00:02.500 --> 00:00:05.000 align:start
Breathe out slowly.
"""


def test_captions_accept_webvtt():
    assert "Breathe out" in captions_validate(GOOD_VTT.encode())


def test_captions_accept_a_byte_order_mark_and_windows_line_ends():
    assert captions_validate(("\ufeff" + GOOD_VTT).replace("\n", "\r\n").encode())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"1\n00:00:00,000 --> 00:00:02,000\nHello\n", "looks like an SRT"),
        (b"Just some notes\n", "first line must be WEBVTT"),
        (b"WEBVTT\n\n00:00 --> 00:02\nHello\n", "Line 3 .* time we cannot read"),
        (b"WEBVTT\n", "no captions in it"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nCaf\u00e9\n".encode("latin-1"), "not UTF-8"),
        (b"WEBVTT\n" + b"x" * (1024 * 1024), "limit is 1 MB"),
    ],
    ids=["srt", "no-header", "bad-time", "empty", "latin-1", "too-big"],
)
def test_captions_refuse_what_is_not_webvtt_in_plain_words(data, message):
    with pytest.raises(CaptionsError, match=message):
        captions_validate(data)


# Sizes in words


@pytest.mark.parametrize(
    ("size", "words"),
    [
        (2 * 1024**3, "2 GB"),
        (round(2.4 * 1024**3), "2.4 GB"),
        (350 * 1024**2, "350 MB"),
        (1536, "1.5 KB"),
        (512, "512 bytes"),
    ],
)
def test_format_size(size, words):
    assert format_size(size) == words
