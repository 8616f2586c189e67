"""Reading uploaded videos with PyAV: what a file holds, a poster frame, the pass after upload.

The background pipeline (transcoding, retries) builds on these small `video_<action>` helpers.
"""

import io
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import av
from django.core.files.base import ContentFile
from PIL import Image

from .models import Video

POSTER_MAX_WIDTH = 1280
POSTER_QUALITY = 82

# Containers and codecs every current browser (Safari included) plays without help.
WEB_SAFE_FORMATS = {"mp4", "mov"}
WEB_SAFE_VIDEO_CODECS = {"h264"}
WEB_SAFE_AUDIO_CODECS = {"", "aac"}
WEB_SAFE_PIX_FMTS = {"yuv420p", "yuvj420p"}


class VideoProbeError(Exception):
    """A file that cannot be used as a video, with a message the uploader can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ProbeResult:
    """What a video file holds, as far as serving it to browsers is concerned."""

    duration_seconds: float
    width: int
    height: int
    frame_rate: float | None
    video_codec: str
    audio_codec: str  # "" when the file has no sound
    bit_rate: int | None
    pix_fmt: str
    format_name: str  # FFmpeg's demuxer names, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    size_bytes: int

    @property
    def is_web_safe(self) -> bool:
        """Browsers can play the file as it is: H.264 (4:2:0) in MP4/MOV, with AAC sound or none."""
        return (
            bool(WEB_SAFE_FORMATS & set(self.format_name.split(",")))
            and self.video_codec in WEB_SAFE_VIDEO_CODECS
            and self.pix_fmt in WEB_SAFE_PIX_FMTS
            and self.audio_codec in WEB_SAFE_AUDIO_CODECS
        )


def video_probe(path: str | os.PathLike) -> ProbeResult:
    """Describe the video at `path`, or raise VideoProbeError saying why it cannot be used."""
    with _open(path) as container:
        if not container.streams.video:
            if container.streams.audio:
                raise VideoProbeError("This file has sound but no picture.")
            raise VideoProbeError("This file is not a video we can read.")
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        duration = _duration_seconds(container)
        if duration <= 0:
            raise VideoProbeError(
                "This file has no running time; it may be a still image rather than a video."
            )
        size_bytes = Path(path).stat().st_size
        if _is_truncated(container, size_bytes):
            raise VideoProbeError(
                "This video file is incomplete; the upload may have been cut short. "
                "Please upload it again."
            )
        return ProbeResult(
            duration_seconds=duration,
            width=video.codec_context.width,
            height=video.codec_context.height,
            frame_rate=float(video.average_rate) if video.average_rate else None,
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio else "",
            bit_rate=container.bit_rate or None,
            pix_fmt=video.codec_context.pix_fmt or "",
            format_name=container.format.name,
            size_bytes=size_bytes,
        )


def video_make_poster(path: str | os.PathLike, *, at_seconds: float | None = None) -> bytes:
    """A JPEG of the frame at `at_seconds` (by default 1 s in, or 10 % in for short clips)."""
    with _open(path) as container:
        if not container.streams.video:
            raise VideoProbeError("This file has sound but no picture.")
        stream = container.streams.video[0]
        if at_seconds is None:
            at_seconds = min(1.0, _duration_seconds(container) * 0.1)
        frame = _frame_at(container, stream, at_seconds)
        if frame is None:
            raise VideoProbeError("We could not read a picture from this video.")
        # Phones record sideways and say how to turn the picture; the poster should match.
        image = frame.to_image()
        if frame.rotation:
            image = image.rotate(frame.rotation, expand=True)
    if image.width > POSTER_MAX_WIDTH:
        height = round(image.height * POSTER_MAX_WIDTH / image.width)
        image = image.resize((POSTER_MAX_WIDTH, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=POSTER_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def video_ingest(video: Video) -> Video:
    """Fill in a freshly uploaded video's facts and poster, and say whether it can play as is.

    A web-safe original is served as it is (READY); anything else waits for transcoding
    (PENDING). A file that is not a usable video is marked FAILED with a message for people.
    """
    path = video.original.path
    try:
        probe = video_probe(path)
        poster = None if video.poster else video_make_poster(path)
    except VideoProbeError as error:
        video.status = Video.Status.FAILED
        video.error_message = error.message
        video.save()
        return video

    video.duration_seconds = probe.duration_seconds
    video.width, video.height = probe.width, probe.height
    video.video_codec, video.audio_codec = probe.video_codec, probe.audio_codec
    video.size_bytes = probe.size_bytes
    video.error_message = ""
    if poster:
        stem = PurePosixPath(video.original.name).stem
        video.poster.save(f"{stem}.jpg", ContentFile(poster), save=False)
    if probe.is_web_safe:
        # The same stored file serves as both; nothing is copied.
        video.playable.name = video.original.name
        video.status = Video.Status.READY
    else:
        video.status = Video.Status.PENDING
    video.save()
    return video


def _open(path: str | os.PathLike) -> av.container.InputContainer:
    try:
        return av.open(str(path), "r")
    except FileNotFoundError as error:
        raise VideoProbeError("The uploaded file is missing.") from error
    except (av.FFmpegError, OSError, ValueError) as error:
        raise VideoProbeError("This file is not a video we can read.") from error


def _duration_seconds(container: av.container.InputContainer) -> float:
    if container.duration:
        return container.duration / av.time_base
    video = container.streams.video[0] if container.streams.video else None
    if video is not None and video.duration and video.time_base:
        return float(video.duration * video.time_base)
    return 0.0


def _is_truncated(container: av.container.InputContainer, size_bytes: int) -> bool:
    """True when the container's index points past the end of the file.

    An MP4 cut short after its index (moov) still opens and reports its full length;
    only its sample table gives the loss away. Entries run in file order within a
    stream, so each stream's last entry is the furthest it reaches.
    """
    for stream in container.streams:
        entries = stream.index_entries
        if len(entries):
            last = entries[len(entries) - 1]
            if last.pos + last.size > size_bytes:
                return True
    return False


def _frame_at(container, stream, at_seconds: float) -> av.VideoFrame | None:
    """The first frame at or after `at_seconds`, or the last frame when the video ends sooner."""
    # Timestamps need not start at zero (edited or broadcast files), so aim from the first one.
    start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
    if at_seconds > 0 and stream.time_base:
        # Seeking lands on the keyframe before the target; decode forward from there.
        container.seek(int((start + at_seconds) / stream.time_base), stream=stream)
    last = None
    try:
        for frame in container.decode(stream):
            last = frame
            if frame.time is not None and frame.time >= start + at_seconds:
                break
    except av.FFmpegError:
        pass  # a damaged tail: use the last good frame, if any
    return last
