"""Demo videos drawn and encoded on this machine, so the demo content needs no downloads.

Each clip is a calm still scene (the stretch's title, a simple figure holding the pose and a
breathing circle) with a running clock, encoded as a web-safe H.264/AAC MP4 with faststart.
"""

import math
import tempfile
from functools import cache
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

# The site palette.
TEAL = (31, 78, 90)  # #1f4e5a
SAGE = (143, 179, 165)  # #8fb3a5
SAND = (244, 239, 230)  # #f4efe6

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

# The figure breathes with the site's "Calm breath": four seconds in, six out.
BREATH_IN_SECONDS = 4.0
BREATH_OUT_SECONDS = 6.0

AUDIO_RATE = 48_000
TONE_PERIOD_SAMPLES = 240  # a soft 200 Hz hum
TONE_PEAK = 900  # out of 32767: about -31 dBFS, quiet enough to sit under a voice
TONE_LEVELS = 32


def demo_video_bytes(
    title: str,
    *,
    seconds: float = 12,
    size: tuple[int, int] = (640, 360),
    fps: int = 24,
    pose: str = "lunge",
) -> bytes:
    """An MP4 of `seconds` showing `title` and a figure in `pose` (one of POSES)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.mp4"
        demo_video_write(path, title, seconds=seconds, size=size, fps=fps, pose=pose)
        return path.read_bytes()


def demo_video_write(
    path: Path | str,
    title: str,
    *,
    seconds: float = 12,
    size: tuple[int, int] = (640, 360),
    fps: int = 24,
    pose: str = "lunge",
) -> None:
    """Write the demo clip to `path`; faststart rewrites the file, so it must be a real path."""
    if pose not in POSES:
        raise ValueError(f"pose must be one of {POSES}, not {pose!r}")
    width, height = size
    frame_count = max(1, round(seconds * fps))
    background = _background(title, size)

    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        video = container.add_stream(
            "libx264",
            rate=fps,
            # A keyframe every second, so a seek lands where the viewer asked.
            options={"preset": "veryfast", "crf": "28", "keyint": str(fps), "scenecut": "0"},
        )
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = container.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        audio.bit_rate = 64_000

        samples_done = 0
        for index in range(frame_count):
            t = index / fps
            image = _draw_frame(background, t=t, seconds=seconds, pose=pose)
            frame = av.VideoFrame.from_image(image).reformat(format="yuv420p")
            frame.pts = index
            container.mux(video.encode(frame))

            # Sound is made frame by frame so the muxer can interleave it with the picture.
            samples_due = round((index + 1) * AUDIO_RATE / fps)
            container.mux(audio.encode(_tone_frame(samples_done, samples_due - samples_done)))
            samples_done = samples_due

        container.mux(video.encode(None))
        container.mux(audio.encode(None))


def _breath(t: float) -> float:
    """How full the lungs are at `t` seconds, from 0 (empty) to 1 (full), eased."""
    t %= BREATH_IN_SECONDS + BREATH_OUT_SECONDS
    if t < BREATH_IN_SECONDS:
        progress = t / BREATH_IN_SECONDS
    else:
        progress = 1 - (t - BREATH_IN_SECONDS) / BREATH_OUT_SECONDS
    return (1 - math.cos(math.pi * progress)) / 2


def _is_breathing_in(t: float) -> bool:
    return t % (BREATH_IN_SECONDS + BREATH_OUT_SECONDS) < BREATH_IN_SECONDS


@cache
def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(str(FONT_DIR / name), size)
    except OSError:
        return ImageFont.load_default(size=size)


def _background(title: str, size: tuple[int, int]) -> Image.Image:
    """Everything that does not move: a soft sand-to-sage wash, the title and the floor."""
    width, height = size
    wash = Image.linear_gradient("L").resize(size)
    image = Image.composite(
        Image.new("RGB", size, _mix(SAND, SAGE, 0.35)), Image.new("RGB", size, SAND), wash
    )
    draw = ImageDraw.Draw(image)
    scale = height / 360
    title_font = _font(round(30 * scale), bold=True)
    # Long titles shrink until they fit, rather than running off the frame.
    font_size = round(30 * scale)
    while draw.textlength(title, font=title_font) > width * 0.9 and font_size > 12:
        font_size -= 2
        title_font = _font(font_size, bold=True)
    draw.text((round(24 * scale), round(20 * scale)), title, fill=TEAL, font=title_font)
    floor = round(height * 0.84)
    draw.line(
        [(0, floor), (width, floor)], fill=_mix(SAGE, TEAL, 0.25), width=max(1, round(2 * scale))
    )
    return image


def _draw_frame(background: Image.Image, *, t: float, seconds: float, pose: str) -> Image.Image:
    image = background.copy()
    draw = ImageDraw.Draw(image)
    width, height = image.size
    scale = height / 360
    breath = _breath(t)

    # The breathing circle: it grows as the figure breathes in and settles as it breathes out.
    cx, cy = width * 0.8, height * 0.47
    radius = (34 + 30 * breath) * scale
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=SAGE)
    label = "breathe in" if _is_breathing_in(t) else "breathe out"
    draw.text((cx, cy + 78 * scale), label, fill=TEAL, font=_font(round(16 * scale)), anchor="mt")

    POSES[pose](draw, x=width * 0.36, floor=height * 0.84, scale=scale, breath=breath)

    # A running clock and progress bar, so a seek shows at once where it landed.
    clock = f"0:{int(t):02d}" if t < 60 else f"{int(t) // 60}:{int(t) % 60:02d}"
    draw.text(
        (width - 16 * scale, height - 10 * scale),
        clock,
        fill=TEAL,
        font=_font(round(20 * scale), bold=True),
        anchor="rb",
    )
    bar = max(2, round(4 * scale))
    draw.rectangle([0, height - bar, width * min(1.0, t / seconds), height], fill=TEAL)
    return image


def _limbs(draw: ImageDraw.ImageDraw, lines: list[list[tuple[float, float]]], scale: float) -> None:
    stroke = max(2, round(7 * scale))
    for line in lines:
        draw.line(line, fill=TEAL, width=stroke, joint="curve")
        for x, y in (line[0], line[-1]):
            r = stroke / 2
            draw.ellipse([x - r, y - r, x + r, y + r], fill=TEAL)


def _head(draw: ImageDraw.ImageDraw, x: float, y: float, scale: float) -> None:
    r = 15 * scale
    draw.ellipse([x - r, y - r, x + r, y + r], fill=TEAL)


def _lunge(
    draw: ImageDraw.ImageDraw, *, x: float, floor: float, scale: float, breath: float
) -> None:
    """A low lunge, back knee down; the hips ease forward on each out-breath."""
    s = scale
    sink = (1 - breath) * 8 * s  # breathing out, the hips drift forward and down
    front_foot, front_knee = (x + 70 * s, floor), (x + 70 * s, floor - 58 * s)
    back_knee, back_foot = (x - 40 * s, floor), (x - 105 * s, floor - 4 * s)
    hip = (x + 5 * s + sink, floor - 56 * s + sink / 2)
    shoulder = (hip[0] + 2 * s, hip[1] - 82 * s)
    hand = (front_knee[0] - 6 * s, front_knee[1] - 4 * s)
    _limbs(draw, [[front_foot, front_knee, hip], [hip, back_knee, back_foot], [hip, shoulder]], s)
    _limbs(draw, [[shoulder, ((shoulder[0] + hand[0]) / 2, shoulder[1] + 44 * s), hand]], s)
    _head(draw, shoulder[0] + 3 * s, shoulder[1] - 22 * s, s)


def _supine(
    draw: ImageDraw.ImageDraw, *, x: float, floor: float, scale: float, breath: float
) -> None:
    """Lying on the back, knees bent and feet flat; the belly rises with each in-breath."""
    s = scale
    y = floor - 8 * s
    shoulder, hip = (x - 90 * s, y), (x + 35 * s, y)
    belly = (x - 20 * s, y - (4 + 9 * breath) * s)
    knee, foot = (x + 85 * s, y - 62 * s), (x + 125 * s, y)
    _limbs(draw, [[shoulder, belly, hip], [hip, knee, foot]], s)
    _head(draw, shoulder[0] - 24 * s, y - 6 * s, s)


def _bridge(
    draw: ImageDraw.ImageDraw, *, x: float, floor: float, scale: float, breath: float
) -> None:
    """Lying on the back with the pelvis resting on a block; the belly rises with the breath."""
    s = scale
    y = floor - 8 * s
    block_top = floor - 30 * s
    draw.rounded_rectangle(
        [x + 5 * s, block_top, x + 55 * s, floor], radius=4 * s, fill=_mix(SAGE, TEAL, 0.2)
    )
    shoulder, hip = (x - 95 * s, y), (x + 30 * s, block_top - 6 * s)
    belly = (x - 30 * s, y - (14 + 7 * breath) * s)
    knee, foot = (x + 90 * s, y - 66 * s), (x + 130 * s, y)
    hand = (x - 40 * s, y)
    _limbs(draw, [[shoulder, belly, hip], [hip, knee, foot], [shoulder, (x - 70 * s, y), hand]], s)
    _head(draw, shoulder[0] - 24 * s, y - 6 * s, s)


def _knee_hug(
    draw: ImageDraw.ImageDraw, *, x: float, floor: float, scale: float, breath: float
) -> None:
    """On the back, one knee drawn in, the other leg long; the knee eases in on the out-breath."""
    s = scale
    y = floor - 8 * s
    shoulder, hip = (x - 90 * s, y), (x + 35 * s, y)
    belly = (x - 25 * s, y - (4 + 8 * breath) * s)
    hug = (1 - breath) * 6 * s
    knee = (x - 15 * s - hug, y - 72 * s)
    foot = (x + 40 * s - hug, y - 52 * s)
    long_foot = (x + 170 * s, y)
    _limbs(draw, [[shoulder, belly, hip], [hip, knee, foot], [hip, long_foot]], s)
    _limbs(draw, [[shoulder, (x - 62 * s, y - 40 * s), (knee[0] + 10 * s, knee[1] + 8 * s)]], s)
    _head(draw, shoulder[0] - 24 * s, y - 6 * s, s)


def _prone(
    draw: ImageDraw.ImageDraw, *, x: float, floor: float, scale: float, breath: float
) -> None:
    """Lying face down, forehead on stacked hands; the back rises as the breath fills it."""
    s = scale
    y = floor - 8 * s
    hands = (x - 135 * s, y - 4 * s)
    shoulder, hip = (x - 90 * s, y - 6 * s), (x + 35 * s, y - 2 * s)
    back = (x - 25 * s, y - (10 + 10 * breath) * s)
    elbow = (x - 95 * s, y)
    _limbs(draw, [[shoulder, back, hip, (x + 165 * s, y)], [shoulder, elbow, hands]], s)
    _head(draw, hands[0] + 6 * s, y - 22 * s, s)


POSES = {
    "lunge": _lunge,
    "supine": _supine,
    "bridge": _bridge,
    "knee_hug": _knee_hug,
    "prone": _prone,
}


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    return tuple(round(p + (q - p) * amount) for p, q in zip(a, b, strict=True))


@cache
def _tone_periods(level: int) -> bytes:
    """One period of the hum at one of TONE_LEVELS loudnesses, as 16-bit little-endian PCM."""
    peak = TONE_PEAK * level / (TONE_LEVELS - 1)
    period = b"".join(
        round(peak * math.sin(2 * math.pi * i / TONE_PERIOD_SAMPLES)).to_bytes(
            2, "little", signed=True
        )
        for i in range(TONE_PERIOD_SAMPLES)
    )
    return period


def _tone_frame(start: int, samples: int) -> av.AudioFrame:
    """`samples` of the hum from sample `start`; it swells on the in-breath and fades out."""
    level = round(_breath(start / AUDIO_RATE) * (TONE_LEVELS - 1))
    period = _tone_periods(level)
    repeats = samples // TONE_PERIOD_SAMPLES + 2
    offset = (start % TONE_PERIOD_SAMPLES) * 2
    pcm = (period * repeats)[offset : offset + samples * 2]
    frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
    frame.planes[0].update(pcm)
    frame.sample_rate = AUDIO_RATE
    frame.pts = start
    return frame
