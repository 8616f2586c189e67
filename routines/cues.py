"""Cues timed to a stretch's demo video ("0:12 Let the knee sink…"), their checks, and the
WebVTT chapters track made from them.

A time is optional and comes first on its cue's line, as minutes and seconds (0:12, 12:05) or
hours, minutes and seconds (1:02:30). Visitors never see it as text: the stretch page and the
session player use it to follow the video, and the chapters track carries it.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import ceil

from .templatetags.routines_tags import clock

# What the teacher meant as a time: digits and colons, then a space or the end of the line.
TIME_LIKE = re.compile(r"(\d+(?::\d+)+)(?:\s+|$)")
TIME = re.compile(
    r"(?:(?P<hours>\d{1,2}):(?P<minutes_of_hour>[0-5]\d)|(?P<minutes>\d{1,3})):"
    r"(?P<seconds>[0-5]\d)"
)


@dataclass(frozen=True)
class Cue:
    text: str
    start_seconds: int | None = None  # into the demo video; None for a cue with no time


@dataclass(frozen=True)
class Chapter:
    start_seconds: float
    end_seconds: float
    text: str


def parse_time(text: str) -> int | None:
    """Seconds for "0:12", "12:05" or "1:02:30"; None when `text` is not such a time."""
    match = TIME.fullmatch(text)
    if match is None:
        return None
    if match["hours"] is not None:
        minutes = int(match["hours"]) * 60 + int(match["minutes_of_hour"])
    else:
        minutes = int(match["minutes"])
    return minutes * 60 + int(match["seconds"])


def parse_cue(line: str) -> tuple[Cue, str]:
    """The cue on one line, and what is wrong with its time ("" when nothing is).

    A line whose start only looks like a time ("1:75 …") is kept whole as an untimed cue, so
    a page never loses words over it; the problem is for the admin form to show.
    """
    line = line.strip()
    match = TIME_LIKE.match(line)
    if match is None:
        return Cue(line), ""
    written, text = match[1], line[match.end() :].strip()
    seconds = parse_time(written)
    if seconds is None:
        return Cue(line), (
            f"“{written}” is not a time. Write minutes and seconds, like 0:12 or 1:05, "
            "or start the line with a word."
        )
    if not text:
        return Cue(line), f"there are no words after the time {written}."
    return Cue(text, seconds), ""


def parse_cues(text: str) -> list[Cue]:
    """Every cue in `text` (one per line, blank lines skipped), in order."""
    return [parse_cue(line)[0] for line in text.splitlines() if line.strip()]


def cue_errors(text: str, *, duration_seconds: float | None = None) -> list[str]:
    """Plain messages, each naming its line, for times the teacher should put right.

    Times must be real ones, go up from cue to cue (the cues follow the video) and, once the
    video's length is known, start before its end.
    """
    errors = []
    previous: tuple[int, int] | None = None  # (line number, seconds) of the last timed cue
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cue, problem = parse_cue(line)
        if problem:
            errors.append(f"Line {number}: {problem}")
            continue
        seconds = cue.start_seconds
        if seconds is None:
            continue
        if previous is not None and seconds <= previous[1]:
            errors.append(
                f"Line {number}: {clock(seconds)} does not come after the time on line "
                f"{previous[0]} ({clock(previous[1])}). Timed cues follow the video, so each "
                "time must be later than the one before."
            )
        elif duration_seconds is not None and seconds >= duration_seconds:
            errors.append(
                f"Line {number}: {clock(seconds)} is past the end of the video. In this video "
                f"a cue can start at {clock(latest_start(duration_seconds))} at the latest."
            )
        previous = (number, seconds)
    return errors


def latest_start(duration_seconds: float) -> int:
    """The last whole second a cue may start at: before the end of the video."""
    return max(0, ceil(duration_seconds) - 1)


def on_video(cues: Iterable[Cue], duration_seconds: float | None) -> list[Cue]:
    """`cues` with only the times the video can be taken to: none while its length is unknown.

    A cue timed past the end (the video was replaced by a shorter one) or out of order keeps
    its words and loses its time, so what is shown and the chapters always agree.
    """
    kept, last = [], -1
    for cue in cues:
        start = cue.start_seconds
        if start is not None and (
            duration_seconds is None or start >= duration_seconds or start <= last
        ):
            cue = Cue(cue.text)
        if cue.start_seconds is not None:
            last = cue.start_seconds
        kept.append(cue)
    return kept


def chapters(cues: Sequence[Cue], duration_seconds: float) -> list[Chapter]:
    """One chapter per timed cue, lasting until the next timed cue or the end of the video."""
    timed = [cue for cue in cues if cue.start_seconds is not None]
    ends = [cue.start_seconds for cue in timed[1:]] + [duration_seconds]
    return [
        Chapter(float(cue.start_seconds), float(end), cue.text)
        for cue, end in zip(timed, ends, strict=True)
    ]


def vtt_timestamp(seconds: float) -> str:
    milliseconds = round(seconds * 1000)
    minutes, milliseconds = divmod(milliseconds, 60_000)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{milliseconds // 1000:02d}.{milliseconds % 1000:03d}"


def vtt_text(text: str) -> str:
    """Cue text as WebVTT reads it: &, < and > escaped (which also breaks up any "-->")."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chapters_vtt(chapters: Iterable[Chapter]) -> str:
    """A WebVTT file of `chapters`, numbered from 1."""
    blocks = ["WEBVTT"]
    for number, chapter in enumerate(chapters, start=1):
        blocks.append(
            f"{number}\n{vtt_timestamp(chapter.start_seconds)} --> "
            f"{vtt_timestamp(chapter.end_seconds)}\n{vtt_text(chapter.text)}"
        )
    return "\n\n".join(blocks) + "\n"
