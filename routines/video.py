"""Reading and converting uploaded videos with PyAV: what a file holds, posters, web-ready MP4s.

File in, file out: nothing here touches the database or Django's storage. The flows built on
these helpers (check an upload, process it in the background) live in routines/services.py.
"""

import io
import math
import os
import re
import struct
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.filter
from av.video.frame import PictureType
from PIL import Image, UnidentifiedImageError

POSTER_MAX_WIDTH = 1280
POSTER_QUALITY = 82
THUMBNAIL_BOX = (320, 320)  # the thumbnail fits inside, portrait or landscape
THUMBNAIL_QUALITY = 78

# Demuxers we let FFmpeg use on uploads: what phones, cameras and editors write. Naming them
# stops FFmpeg from reading an upload as something else, such as a playlist that pulls in
# other files from the server.
READABLE_FORMATS = "mov,matroska,avi,mpegts,mpeg,flv,asf,ogg"

# Containers and codecs every current browser (Safari included) plays without help.
WEB_SAFE_FORMATS = {"mp4", "mov"}
WEB_SAFE_VIDEO_CODECS = {"h264"}
WEB_SAFE_AUDIO_CODECS = {"", "aac"}
WEB_SAFE_PIX_FMTS = {"yuv420p", "yuvj420p"}
# Beyond these a file plays, but is heavier than a phone on a slow connection should fetch.
WEB_SAFE_MAX_BITS_PER_SECOND = 5_000_000
MAX_FRAME_RATE = 60

# 720p, either way up: a portrait clip becomes 720×1280, a landscape one 1280×720.
MAX_SHORT_SIDE = 720
MAX_LONG_SIDE = 1280

# H.264 High at yuv420p plays everywhere. CRF 23 keeps a talking, slowly moving teacher
# sharp; the cap keeps the bit rate streamable, and a keyframe every two seconds lets a
# seek land close to where the viewer asked.
X264_PRESET = "veryfast"
X264_CRF = "23"
X264_MAXRATE = "3M"
X264_BUFSIZE = "6M"
KEYFRAME_SECONDS = 2
AAC_BITS_PER_SECOND = 128_000
AAC_SAMPLE_RATES = {44_100, 48_000}
# A few damaged packets are common in phone footage (FFmpeg skips them too); many mean the
# file is broken.
MAX_DAMAGED_PACKETS = 50

CAPTIONS_MAX_BYTES = 1024 * 1024
CUE_TIMING = re.compile(
    r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}[ \t]+-->[ \t]+(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
    r"(?:[ \t].*)?"
)
SRT_TIMING = re.compile(r"\d{2}:\d{2}:\d{2},\d{3}\s+-->")


class VideoProbeError(Exception):
    """A file that cannot be used as a video, with a message the uploader can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CaptionsError(VideoProbeError):
    """A captions file that is not usable WebVTT, with a message the uploader can act on."""


@dataclass(frozen=True)
class Rendition:
    """One size of the playable video: the largest picture it may have and how it is encoded.

    CRF with a ceiling: a calm scene costs fewer bits than the ceiling, busy footage no more.
    """

    label: str  # what people are told, e.g. "360p"
    max_short_side: int
    max_long_side: int
    crf: str
    maxrate: str
    bufsize: str
    audio_bits_per_second: int
    preset: str = X264_PRESET

    def size_for(self, width: int, height: int) -> tuple[int, int]:
        """The picture size for a source: within this rendition's box, aspect kept, even sides.

        A smaller source keeps its size: upscaling would cost bytes and add nothing.
        """
        scale = min(
            1.0, self.max_short_side / min(width, height), self.max_long_side / max(width, height)
        )
        return _even(width * scale), _even(height * scale)


# What browsers get by default, and the rendition for phones, slow connections and offline
# copies: 360p at about 0.8 Mbit/s of picture at most, a quarter of 720p's pixels. Both
# use x264's veryfast preset, so the second encode adds about a third to processing time.
LARGE = Rendition(
    "720p",
    MAX_SHORT_SIDE,
    MAX_LONG_SIDE,
    crf=X264_CRF,
    maxrate=X264_MAXRATE,
    bufsize=X264_BUFSIZE,
    audio_bits_per_second=AAC_BITS_PER_SECOND,
)
SMALL = Rendition(
    "360p", 360, 640, crf="26", maxrate="800k", bufsize="1600k", audio_bits_per_second=64_000
)


@dataclass(frozen=True)
class ProbeResult:
    """What a video file holds, as far as serving it to browsers is concerned."""

    duration_seconds: float
    width: int  # as displayed: after rotation and non-square pixels
    height: int
    frame_rate: float | None
    video_codec: str
    audio_codec: str  # "" when the file has no sound
    bit_rate: int | None  # bits per second, all streams
    pix_fmt: str
    format_name: str  # FFmpeg's demuxer names, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    size_bytes: int
    rotation: int = 0  # degrees the player must turn the stored picture (FFmpeg's sign)

    @property
    def is_web_safe(self) -> bool:
        """Browsers can play the file as it is, and it is no bigger than we would make it.

        H.264 (4:2:0) in MP4/MOV with AAC sound or none, stored upright, at most 720p, at a
        streamable bit rate. Such a file is only rewritten with its index first (remuxed).
        """
        return (
            bool(WEB_SAFE_FORMATS & set(self.format_name.split(",")))
            and self.video_codec in WEB_SAFE_VIDEO_CODECS
            and self.pix_fmt in WEB_SAFE_PIX_FMTS
            and self.audio_codec in WEB_SAFE_AUDIO_CODECS
            and self.rotation == 0
            and playable_size(self.width, self.height) == (self.width, self.height)
            and (self.bit_rate or 0) <= WEB_SAFE_MAX_BITS_PER_SECOND
            and (self.frame_rate or 0) <= MAX_FRAME_RATE
        )


def playable_size(width: int, height: int) -> tuple[int, int]:
    """The size of the default (720p) rendition: at most 720p either way up, even numbers."""
    return LARGE.size_for(width, height)


def video_probe(path: str | os.PathLike) -> ProbeResult:
    """Describe the video at `path`, or raise VideoProbeError saying why it cannot be used."""
    with _open(path) as container:
        video = _picture_stream(container)
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
        rotation = _rotation(video)
        width, height = _displayed_size(video, rotation)
        return ProbeResult(
            duration_seconds=duration,
            width=width,
            height=height,
            frame_rate=float(video.average_rate) if video.average_rate else None,
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio else "",
            bit_rate=container.bit_rate or None,
            pix_fmt=video.codec_context.pix_fmt or "",
            format_name=container.format.name,
            size_bytes=size_bytes,
            rotation=rotation,
        )


def video_validate(path: str | os.PathLike) -> ProbeResult:
    """Probe the upload at `path` and decode its first picture: cheap enough for a request.

    Catches what a header alone does not show, such as a file whose picture data is garbage.
    """
    probe = video_probe(path)
    with _open(path) as container:
        if _frame_at(container, _picture_stream(container), 0) is None:
            raise VideoProbeError(
                "We could not read a picture from this video; the file may be damaged."
            )
    return probe


def video_make_poster(path: str | os.PathLike, *, at_seconds: float | None = None) -> bytes:
    """A JPEG of the frame at `at_seconds` (by default 1 s in, or 10 % in for short clips)."""
    with _open(path) as container:
        stream = _picture_stream(container)
        if at_seconds is None:
            at_seconds = min(1.0, _duration_seconds(container) * 0.1)
        frame = _frame_at(container, stream, at_seconds)
        if frame is None:
            raise VideoProbeError("We could not read a picture from this video.")
        image = frame.to_image()
        shown = _displayed_size(stream, 0)
        if shown != image.size:
            image = image.resize(shown, Image.Resampling.LANCZOS)  # non-square pixels
        # Phones record sideways and say how to turn the picture; the poster should match.
        if frame.rotation:
            image = image.rotate(frame.rotation, expand=True)
    if image.width > POSTER_MAX_WIDTH:
        height = round(image.height * POSTER_MAX_WIDTH / image.width)
        image = image.resize((POSTER_MAX_WIDTH, height), Image.Resampling.LANCZOS)
    return _jpeg(image, quality=POSTER_QUALITY)


def video_make_thumbnail(image_data: bytes) -> bytes:
    """A small JPEG of a poster (ours or the teacher's), for lists."""
    try:
        image = Image.open(io.BytesIO(image_data))
        image.load()
    except (UnidentifiedImageError, OSError) as error:
        raise VideoProbeError("The poster is not an image we can read.") from error
    image = image.convert("RGB")
    image.thumbnail(THUMBNAIL_BOX, Image.Resampling.LANCZOS)
    return _jpeg(image, quality=THUMBNAIL_QUALITY)


def video_remux(source: str | os.PathLike, destination: str | os.PathLike) -> None:
    """Copy a web-safe video's picture and sound, unchanged, into an MP4 with its index first.

    The index (moov) at the front lets a browser start playing, and seek, before it has
    fetched the whole file. Other tracks (timecode, metadata) are left out.
    """
    with (
        _open(source) as container,
        av.open(str(destination), "w", format="mp4", options={"movflags": "+faststart"}) as output,
    ):
        video = _picture_stream(container)
        inputs = [video, *container.streams.audio[:1]]
        outputs = {stream: output.add_stream_from_template(stream) for stream in inputs}
        for packet in container.demux(inputs):
            if packet.dts is None:
                continue  # the demuxer's end-of-stream marker
            packet.stream = outputs[packet.stream]
            output.mux(packet)


def video_transcode(
    source: str | os.PathLike,
    renditions: Mapping[Rendition, str | os.PathLike],
    *,
    probe: ProbeResult,
    on_progress: Callable[[float], None] | None = None,
) -> None:
    """Convert `source` into an H.264 High (yuv420p) + AAC MP4 with faststart per rendition.

    `renditions` maps each rendition to the file it goes to. The source is decoded once and
    every rendition encoded from the same frames. Pictures are turned upright and scaled
    with their aspect kept; timestamps are carried over, so the running time is unchanged.
    `on_progress` is told the fraction done.
    """
    with ExitStack() as stack:
        container = stack.enter_context(_open(source))
        in_video = _picture_stream(container)
        in_video.thread_type = "AUTO"  # decode on every core, as the ffmpeg command does
        in_audio = container.streams.audio[0] if container.streams.audio else None
        outputs = [
            _Encoder.open(stack, destination, rendition, in_video, in_audio, probe)
            for rendition, destination in renditions.items()
        ]

        start = _start_seconds(in_video)
        damaged = 0
        for packet in container.demux([in_video, *([in_audio] if in_audio else [])]):
            try:
                frames = packet.decode()
            except av.InvalidDataError:
                damaged += 1
                if damaged > MAX_DAMAGED_PACKETS:
                    raise VideoProbeError(
                        "Too much of this video is damaged to convert it."
                    ) from None
                continue
            for frame in frames:
                if packet.stream is in_audio:
                    for output in outputs:
                        output.sound(frame)
                    continue
                for output in outputs:
                    output.picture(frame)
                if on_progress and frame.time is not None and probe.duration_seconds:
                    on_progress(min(1.0, max(0.0, (frame.time - start) / probe.duration_seconds)))
        for output in outputs:
            output.finish()
    if on_progress:
        on_progress(1.0)


class _Encoder:
    """One rendition being written: its filter graph, its encoders and its MP4."""

    def __init__(self, output, graph, out_video, out_audio):
        self.output = output
        self.graph = graph
        self.out_video = out_video
        self.out_audio = out_audio

    @classmethod
    def open(
        cls,
        stack: ExitStack,
        destination: str | os.PathLike,
        rendition: Rendition,
        in_video: av.VideoStream,
        in_audio: av.AudioStream | None,
        probe: ProbeResult,
    ) -> "_Encoder":
        width, height = rendition.size_for(probe.width, probe.height)
        output = stack.enter_context(
            av.open(str(destination), "w", format="mp4", options={"movflags": "+faststart"})
        )
        graph, frame_rate = _picture_filters(in_video, width, height, probe)
        out_video = output.add_stream(
            "libx264",
            rate=frame_rate,
            options={
                "preset": rendition.preset,
                "crf": rendition.crf,
                "maxrate": rendition.maxrate,
                "bufsize": rendition.bufsize,
                "profile": "high",
                "g": str(max(1, round(frame_rate * KEYFRAME_SECONDS))),
            },
        )
        out_video.width, out_video.height, out_video.pix_fmt = width, height, "yuv420p"
        # PyAV asks for slice threads only; frame threads, as the ffmpeg command uses, are
        # faster and compress better.
        out_video.codec_context.thread_type = "AUTO"
        # The source's clock, so variable frame rate phone footage keeps its timing.
        out_video.codec_context.time_base = graph.time_base

        out_audio = None
        if in_audio is not None:
            channels = in_audio.codec_context.channels
            rate = in_audio.codec_context.sample_rate
            out_audio = output.add_stream(
                "aac",
                rate=rate if rate in AAC_SAMPLE_RATES else 48_000,
                layout="mono" if channels == 1 else "stereo",
            )
            out_audio.bit_rate = rendition.audio_bits_per_second
        return cls(output, graph, out_video, out_audio)

    def picture(self, frame: av.VideoFrame) -> None:
        for filtered in self.graph.filter(frame):
            self.output.mux(self.out_video.encode(filtered))

    def sound(self, frame: av.AudioFrame) -> None:
        self.output.mux(self.out_audio.encode(frame))

    def finish(self) -> None:
        for filtered in self.graph.filter(None):
            self.output.mux(self.out_video.encode(filtered))
        if not self.graph.frames_out:
            raise VideoProbeError("We could not read any pictures from this video.")
        self.output.mux(self.out_video.encode(None))
        if self.out_audio is not None:
            self.output.mux(self.out_audio.encode(None))


def captions_validate(data: bytes) -> str:
    """The text of a WebVTT file, or CaptionsError saying what is wrong with it."""
    if len(data) > CAPTIONS_MAX_BYTES:
        raise CaptionsError(
            f"This captions file is {format_size(len(data))}; "
            f"the limit is {format_size(CAPTIONS_MAX_BYTES)}."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CaptionsError(
            "This captions file is not UTF-8 text. Save it as UTF-8 WebVTT (.vtt) and try again."
        ) from error
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not re.fullmatch(r"WEBVTT([ \t].*)?", lines[0]):
        if SRT_TIMING.search(text):
            raise CaptionsError(
                "This looks like an SRT subtitle file. Captions must be WebVTT (.vtt); "
                "most subtitle editors can save as WebVTT."
            )
        raise CaptionsError("This is not a WebVTT captions file: its first line must be WEBVTT.")
    cues = 0
    for number, line in enumerate(lines[1:], start=2):
        if "-->" in line:
            if not CUE_TIMING.fullmatch(line.strip()):
                raise CaptionsError(
                    f"Line {number} of the captions has a time we cannot read: {line.strip()[:60]}"
                )
            cues += 1
    if not cues:
        raise CaptionsError("This captions file has no captions in it.")
    return text


def format_size(size_bytes: int) -> str:
    """A file size in words people use: "2.4 GB", "2 GB", "350 MB"."""
    size = float(size_bytes)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            break
        size /= 1024
    if unit == "bytes":
        return f"{size_bytes} bytes"
    return f"{size:.1f}".removesuffix(".0") + f" {unit}"


class _PictureFilters:
    """An FFmpeg filter graph that turns frames upright, scales them and makes them yuv420p."""

    def __init__(self, graph: av.filter.Graph, time_base: Fraction):
        self.graph = graph
        self.time_base = time_base
        self.frames_out = 0

    def filter(self, frame: av.VideoFrame | None) -> list[av.VideoFrame]:
        """Push a frame (None at the end) and take whatever the graph has ready."""
        self.graph.vpush(frame)
        frames = []
        while True:
            try:
                filtered = self.graph.vpull()
            except (av.BlockingIOError, av.EOFError):
                break
            # A decoded frame keeps the source's picture type, and x264 obeys it: an
            # all-keyframe source would come out all keyframes. Let the encoder choose.
            filtered.pict_type = PictureType.NONE
            frames.append(filtered)
        self.frames_out += len(frames)
        return frames


def _picture_filters(
    stream: av.VideoStream, width: int, height: int, probe: ProbeResult
) -> tuple[_PictureFilters, Fraction]:
    graph = av.filter.Graph()
    chain = [graph.add_buffer(template=stream)]
    # FFmpeg's rotation is counter-clockwise; the ffmpeg command turns the picture the same way.
    turn = -probe.rotation % 360
    if turn == 90:
        chain.append(graph.add("transpose", "clock"))
    elif turn == 270:
        chain.append(graph.add("transpose", "cclock"))
    elif turn == 180:
        chain += [graph.add("hflip"), graph.add("vflip")]
    frame_rate = Fraction(stream.average_rate or 30)
    time_base = Fraction(stream.time_base)
    if frame_rate > MAX_FRAME_RATE:
        # Slow-motion phone clips (120, 240 fps) are more frames than a browser needs.
        frame_rate = Fraction(30)
        time_base = 1 / frame_rate
        chain.append(graph.add("fps", "30"))
    chain.append(graph.add("scale", f"{width}:{height}"))
    chain.append(graph.add("setsar", "1"))
    chain.append(graph.add("format", "yuv420p"))
    chain.append(graph.add("buffersink"))
    graph.link_nodes(*chain).configure()
    return _PictureFilters(graph, time_base), frame_rate


def _open(path: str | os.PathLike) -> av.container.InputContainer:
    try:
        return av.open(str(path), "r", options={"format_whitelist": READABLE_FORMATS})
    except FileNotFoundError as error:
        raise VideoProbeError("The uploaded file is missing.") from error
    except (av.FFmpegError, OSError, ValueError) as error:
        if _is_image(path):
            raise VideoProbeError(
                "This file has no running time; it may be a still image rather than a video."
            ) from error
        raise VideoProbeError("This file is not a video we can read.") from error


def _is_image(path: str | os.PathLike) -> bool:
    try:
        with Image.open(path):
            return True
    except (UnidentifiedImageError, OSError):
        return False


def _picture_stream(container: av.container.InputContainer) -> av.VideoStream:
    """The first real video stream: cover art in a music file does not count."""
    for stream in container.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    if container.streams.audio:
        raise VideoProbeError("This file has sound but no picture.")
    raise VideoProbeError("This file is not a video we can read.")


def _rotation(stream: av.VideoStream) -> int:
    """The turn a player applies to the stored picture, in degrees, as FFmpeg reports it.

    Phones store portrait video as landscape plus a display matrix saying how to turn it;
    this reads the matrix the way FFmpeg's av_display_rotation_get() does.
    """
    matrix = stream.codec_context.coded_side_data.get("display_matrix")
    if not matrix or len(matrix) < 36:
        return 0
    a, b, _, c, d, *_ = struct.unpack("<9i", matrix[:36])
    scale_x, scale_y = math.hypot(a, c), math.hypot(b, d)
    if not scale_x or not scale_y:
        return 0
    degrees = -math.degrees(math.atan2(b / scale_y, a / scale_x))
    return int(round(degrees / 90) * 90)  # phones only ever turn by quarters


def _displayed_size(stream: av.VideoStream, rotation: int) -> tuple[int, int]:
    width, height = stream.codec_context.width, stream.codec_context.height
    aspect = stream.sample_aspect_ratio
    if aspect and aspect.numerator and aspect != 1:
        width = round(width * aspect)  # non-square pixels, as in some camcorder footage
    if rotation % 180:
        width, height = height, width
    return width, height


def _duration_seconds(container: av.container.InputContainer) -> float:
    if container.duration:
        return container.duration / av.time_base
    video = container.streams.video[0] if container.streams.video else None
    if video is not None and video.duration and video.time_base:
        return float(video.duration * video.time_base)
    return 0.0


def _start_seconds(stream: av.VideoStream) -> float:
    # Timestamps need not start at zero (edited or broadcast files).
    return float(stream.start_time * stream.time_base) if stream.start_time else 0.0


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
    start = _start_seconds(stream)
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


def _jpeg(image: Image.Image, *, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)
