"""The demo post's illustrations, drawn with Pillow on this machine (no downloads, no stock art).

Simple, labelled diagrams in the site's palette: where the psoas runs, and what hours of sitting
do to it. They are drawn at twice the size and scaled down, which smooths Pillow's edges; each is
drawn once per process (the drawing never changes).
"""

import io
from functools import cache

from PIL import Image, ImageDraw

from routines.demo_media import SAGE, SAND, TEAL
from routines.demo_media import _font as font

CLAY = (156, 74, 47)  # #9c4a2f, the muscle
BONE = (255, 253, 248)
INK = (29, 43, 47)
SIZE = (1600, 1000)
SUPERSAMPLE = 2


@cache
def psoas_diagram_bytes() -> bytes:
    """Front view of the lower spine, pelvis and thighs with the two psoas muscles."""
    image, draw, s = _canvas()
    h = image.height
    cx = image.width * 0.4
    labels_x = cx + 440 * s
    # Lower ribs, then the lumbar vertebrae stacked down to the sacrum.
    for i in range(3):
        y = 150 * s + i * 36 * s
        draw.arc([cx - 300 * s, y, cx + 300 * s, y + 180 * s], 205, 335, TEAL, 8 * s)
    _label(draw, (labels_x, 190 * s), "Lower ribs", s)
    draw.line([(labels_x - 15 * s, 190 * s), (cx + 250 * s, 200 * s)], SAGE, 4 * s)
    vertebra_top, vertebra_h, gap = 250 * s, 52 * s, 10 * s
    for i in range(5):
        top = vertebra_top + i * (vertebra_h + gap)
        half = (50 + i * 4) * s
        draw.rounded_rectangle(
            [cx - half, top, cx + half, top + vertebra_h], 12 * s, BONE, TEAL, 5 * s
        )
    _label(draw, (labels_x, 330 * s), "Lumbar spine", s)
    draw.line([(labels_x - 15 * s, 330 * s), (cx + 75 * s, 330 * s)], SAGE, 4 * s)
    pelvis_top = vertebra_top + 5 * (vertebra_h + gap)
    # The pelvis: two wings, the sacrum between them.
    for side in (-1, 1):
        wing = [
            (cx + side * 70 * s, pelvis_top + 10 * s),
            (cx + side * 310 * s, pelvis_top - 30 * s),
            (cx + side * 350 * s, pelvis_top + 80 * s),
            (cx + side * 240 * s, pelvis_top + 200 * s),
            (cx + side * 90 * s, pelvis_top + 250 * s),
        ]
        draw.polygon(wing, BONE, TEAL, 5 * s)
    draw.polygon(
        [(cx - 70 * s, pelvis_top), (cx + 70 * s, pelvis_top), (cx, pelvis_top + 170 * s)],
        BONE,
        TEAL,
        5 * s,
    )
    _label(draw, (labels_x, pelvis_top + 60 * s), "Pelvis", s)
    draw.line(
        [(labels_x - 15 * s, pelvis_top + 60 * s), (cx + 330 * s, pelvis_top + 60 * s)],
        SAGE,
        4 * s,
    )
    # Thigh bones from the hip sockets, angled in towards the knees.
    hip_y = pelvis_top + 185 * s
    for side in (-1, 1):
        head = (cx + side * 205 * s, hip_y)
        knee = (cx + side * 160 * s, h - 30 * s)
        draw.line([head, knee], TEAL, 56 * s)
        draw.line([head, knee], BONE, 42 * s)
        r = 38 * s
        draw.ellipse([head[0] - r, head[1] - r, head[0] + r, head[1] + r], BONE, TEAL, 5 * s)
    _label(draw, (labels_x, h - 110 * s), "Thigh bone (femur)", s)
    draw.line([(labels_x - 15 * s, h - 110 * s), (cx + 195 * s, h - 110 * s)], SAGE, 4 * s)
    # Each psoas: from the sides of the lumbar vertebrae, down through the pelvic bowl, over the
    # front of the hip, to the inner top of the thigh bone.
    for side in (-1, 1):
        muscle = [
            (cx + side * 46 * s, vertebra_top + 8 * s),
            (cx + side * 76 * s, vertebra_top + 36 * s),
            (cx + side * 145 * s, pelvis_top + 50 * s),
            (cx + side * 200 * s, hip_y + 40 * s),
            (cx + side * 190 * s, hip_y + 140 * s),
            (cx + side * 160 * s, hip_y + 140 * s),
            (cx + side * 145 * s, hip_y + 20 * s),
            (cx + side * 88 * s, pelvis_top + 50 * s),
            (cx + side * 54 * s, vertebra_top + 110 * s),
        ]
        draw.polygon(muscle, CLAY + (215,), CLAY, 3 * s)
    psoas_label = (cx - 560 * s, pelvis_top - 110 * s)
    _label(draw, psoas_label, "Psoas", s, colour=CLAY, bold=True)
    draw.line(
        [(psoas_label[0] + 120 * s, psoas_label[1] + 10 * s), (cx - 125 * s, pelvis_top)],
        CLAY,
        5 * s,
    )
    _title(draw, "The psoas joins the spine to the thigh", s)
    return _finish(image)


@cache
def sitting_standing_bytes() -> bytes:
    """Two figures: sitting with the psoas short, then standing with it pulling the back."""
    image, draw, s = _canvas()
    w, h = image.size
    floor = h - 130 * s
    draw.line([(40 * s, floor), (w - 40 * s, floor)], SAGE, 6 * s)
    draw.line([(w * 0.47, 200 * s), (w * 0.47, floor - 20 * s)], SAGE, 4 * s)

    # Sitting: thigh level on the chair, the psoas folded short at the front of the hip.
    x = w * 0.22
    seat = floor - 250 * s
    draw.rectangle([x - 150 * s, seat, x + 170 * s, seat + 20 * s], SAND, TEAL, 4 * s)
    draw.line([(x - 140 * s, seat), (x - 140 * s, floor)], TEAL, 10 * s)
    draw.line([(x + 160 * s, seat), (x + 160 * s, floor)], TEAL, 10 * s)
    draw.line([(x - 140 * s, seat), (x - 155 * s, seat - 270 * s)], TEAL, 10 * s)
    hip, knee, foot = (
        (x - 80 * s, seat - 40 * s),
        (x + 190 * s, seat - 40 * s),
        (x + 200 * s, floor),
    )
    shoulder = (x - 92 * s, seat - 300 * s)
    _figure(draw, [shoulder, hip, knee, foot], (shoulder[0], shoulder[1] - 70 * s), s)
    _muscle(draw, [(hip[0] + 2 * s, hip[1] - 110 * s), (hip[0] + 40 * s, hip[1] - 20 * s)], s)
    _muscle(draw, [(hip[0] + 40 * s, hip[1] - 20 * s), (hip[0] + 100 * s, hip[1] + 4 * s)], s)
    _caption(draw, (x, floor + 30 * s), "Sitting: the psoas rests short", s)

    # Standing after hours of sitting: the short psoas tugs the lower spine forward, the back
    # arches and the lower ribs tip forward.
    x = w * 0.66
    foot, knee, hip = (x, floor), (x + 5 * s, floor - 190 * s), (x - 10 * s, floor - 370 * s)
    waist = (x + 40 * s, floor - 460 * s)
    shoulder = (x - 8 * s, floor - 590 * s)
    _figure(
        draw, [foot, knee, hip, waist, shoulder], (shoulder[0] + 5 * s, shoulder[1] - 70 * s), s
    )
    _muscle(draw, [(waist[0] - 12 * s, waist[1] + 10 * s), (hip[0] + 50 * s, hip[1] + 50 * s)], s)
    ribs = (x + 50 * s, floor - 530 * s)
    draw.arc(
        [ribs[0] - 36 * s, ribs[1] - 36 * s, ribs[0] + 36 * s, ribs[1] + 36 * s],
        300,
        60,
        CLAY,
        8 * s,
    )
    _label(draw, (x + 120 * s, floor - 530 * s), "Lower ribs tip forward", s, colour=CLAY)
    _label(draw, (x + 120 * s, floor - 440 * s), "Lower back arches", s)
    _label(draw, (x + 120 * s, floor - 350 * s), "Psoas pulls", s, colour=CLAY)
    _caption(draw, (x + 60 * s, floor + 30 * s), "Standing: a short psoas pulls", s)

    _title(draw, "What hours of sitting do to the psoas", s)
    return _finish(image)


@cache
def avatar_bytes(initials: str) -> bytes:
    """A calm round badge with the author's initials."""
    size = 400 * SUPERSAMPLE
    image = Image.new("RGB", (size, size), SAND)
    draw = ImageDraw.Draw(image)
    draw.ellipse([0, 0, size, size], SAGE)
    draw.text(
        (size / 2, size / 2), initials, fill=TEAL, font=font(size // 3, bold=True), anchor="mm"
    )
    return _finish(image)


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw, int]:
    s = SUPERSAMPLE
    image = Image.new("RGB", (SIZE[0] * s, SIZE[1] * s), SAND)
    return image, ImageDraw.Draw(image, "RGBA"), s


def _finish(image: Image.Image) -> bytes:
    out = image.resize((image.width // SUPERSAMPLE, image.height // SUPERSAMPLE), Image.LANCZOS)
    buffer = io.BytesIO()
    out.save(buffer, "PNG")
    return buffer.getvalue()


def _title(draw, text: str, s: int) -> None:
    draw.text((60 * s, 40 * s), text, fill=TEAL, font=font(48 * s, bold=True))


def _label(draw, xy, text: str, s: int, *, colour=INK, bold: bool = False) -> None:
    draw.text(xy, text, fill=colour, font=font(34 * s, bold=bold), anchor="lm")


def _caption(draw, xy, text: str, s: int) -> None:
    draw.text(xy, text, fill=TEAL, font=font(36 * s, bold=True), anchor="mt")


def _figure(draw, line, head, s: int) -> None:
    draw.line(line, TEAL, 26 * s, joint="curve")
    r = 48 * s
    draw.ellipse([head[0] - r, head[1] - r, head[0] + r, head[1] + r], TEAL)


def _muscle(draw, line, s: int) -> None:
    draw.line(line, CLAY, 14 * s)
