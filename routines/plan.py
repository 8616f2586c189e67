"""The session plan: a routine expanded into the timed holds the session player runs.

`routine_plan()` returns plain data (JSON-ready) that the session page embeds with json_script.
"""

from django.db.models.fields.files import FieldFile

from .models import SMALL_VIDEO_MEDIA, TRANSITION_SECONDS, BreathingPattern, Routine, RoutineStep

# The breath used when neither the step nor the routine chooses one: a longer
# out-breath than in-breath, which invites the body to let go.
DEFAULT_BREATHING = {
    "name": "Calm breath",
    "inhale_seconds": 4,
    "hold_in_seconds": 0,
    "exhale_seconds": 6,
    "hold_out_seconds": 0,
}

# Time to get into the first position after pressing Start. It is shown on its
# own and is not part of the routine's total time.
GET_READY_SECONDS = 5

# Gentle mode, for a reactive day: holds a third shorter (never below the
# shortest hold a step may have), rests and transitions half as long again.
GENTLE_HOLD_RATIO = (2, 3)
GENTLE_REST_RATIO = (3, 2)
GENTLE_MIN_HOLD_SECONDS = 5

SIDES = {1: [""], 2: ["left", "right"]}
SIDE_LABELS = {"": "", "left": "Left side", "right": "Right side"}


class RestKind:
    """What the pause after a hold is for; the player words each one differently."""

    NONE = ""
    SWITCH = "switch"  # change sides
    TRANSITION = "transition"  # come out, then go back in for the next round
    REST = "rest"  # between two stretches


def scaled(seconds: int, ratio: tuple[int, int]) -> int:
    """`seconds` times `ratio`, rounded half up to whole seconds."""
    numerator, denominator = ratio
    return (2 * seconds * numerator + denominator) // (2 * denominator)


def gentle_hold_seconds(seconds: int) -> int:
    return max(scaled(seconds, GENTLE_HOLD_RATIO), min(seconds, GENTLE_MIN_HOLD_SECONDS))


def gentle_rest_seconds(seconds: int) -> int:
    return scaled(seconds, GENTLE_REST_RATIO)


def breathing_data(pattern: BreathingPattern | None) -> dict:
    """A step's breath: its own pattern, else the routine's, else DEFAULT_BREATHING."""
    if pattern is None:
        return dict(DEFAULT_BREATHING)
    return {
        "name": pattern.name,
        "inhale_seconds": pattern.inhale_seconds,
        "hold_in_seconds": pattern.hold_in_seconds,
        "exhale_seconds": pattern.exhale_seconds,
        "hold_out_seconds": pattern.hold_out_seconds,
    }


def video_data(video) -> dict | None:
    """What the player needs to show a stretch's demo, or None while there is nothing to play."""
    if video is None or not video.is_ready:
        return None
    return {
        "src": video.playable_url,
        # A row processed before there were two sizes has only the one; it stands in.
        "small_src": video.playable_small_url or video.playable_url,
        "poster": video.poster_url,
        "captions": video.captions_url,
        "width": video.width,
        "height": video.height,
    }


def step_holds(step: RoutineStep, position: int) -> list[dict]:
    """One entry per hold of a routine step: every side of every repetition, in order."""
    stretch = step.stretch
    sides = SIDES[stretch.side_count]
    seconds = step.effective_hold_seconds
    cues = stretch.cue_items
    shared = {
        "position": position,
        "title": stretch.title,
        "slug": stretch.slug,
        "url": stretch.get_absolute_url(),
        "cues": [cue.text for cue in cues],
        # Seconds into the demo video each cue goes with (None for an untimed cue).
        "cue_starts": [cue.start_seconds for cue in cues],
        "chapters_url": stretch.chapters_url,
        "note": step.note,
        "rounds": step.repetitions,
        "seconds": seconds,
        "gentle_seconds": gentle_hold_seconds(seconds),
        "breathing": breathing_data(step.effective_breathing_pattern),
        "video": video_data(stretch.video),
    }
    holds = [
        {
            **shared,
            "round": round_number,
            "side": side,
            "side_label": SIDE_LABELS[side],
            "rest_kind": RestKind.SWITCH if side != sides[-1] else RestKind.TRANSITION,
            "rest_after_seconds": TRANSITION_SECONDS,
        }
        for round_number in range(1, step.repetitions + 1)
        for side in sides
    ]
    holds[-1].update(rest_kind=RestKind.REST, rest_after_seconds=step.rest_after_seconds)
    return holds


def routine_plan(routine: Routine) -> dict:
    """The routine as the session player runs it, JSON-ready.

    Steps are expanded for sides and repetitions; each carries its hold, the
    rest after it (a side switch or round change takes TRANSITION_SECONDS, the
    last hold of a stretch its step's rest, the last hold of all none), its
    breathing pattern and video. The timed total equals `routine.duration_seconds`;
    the get-ready countdown comes on top.
    """
    routine_steps = list(routine.steps.all())
    steps = [
        hold
        for position, step in enumerate(routine_steps, start=1)
        for hold in step_holds(step, position)
    ]
    if steps:
        steps[-1]["rest_after_seconds"] = 0
        steps[-1]["rest_kind"] = RestKind.NONE
    for step in steps:
        step["gentle_rest_after_seconds"] = gentle_rest_seconds(step["rest_after_seconds"])
    return {
        "title": routine.title,
        "slug": routine.slug,
        "url": routine.get_absolute_url(),
        "session_url": routine.get_session_url(),
        "get_ready_seconds": GET_READY_SECONDS,
        # Where the player shows the small videos, as the pages' <source media> do.
        "small_video_media": SMALL_VIDEO_MEDIA,
        "stretch_count": len(routine_steps),
        "total_seconds": sum(s["seconds"] + s["rest_after_seconds"] for s in steps),
        "gentle_total_seconds": sum(
            s["gentle_seconds"] + s["gentle_rest_after_seconds"] for s in steps
        ),
        "steps": steps,
    }


def media_size_bytes(routine: Routine, *, small: bool = False) -> int:
    """Bytes of the demo videos (720p, or 360p if `small`) and posters a session shows."""
    large_bytes, small_bytes = media_sizes(routine)
    return small_bytes if small else large_bytes


def media_sizes(routine: Routine) -> tuple[int, int]:
    """Bytes a session's offline copy downloads with its 720p videos, and with its 360p ones.

    Each file is counted once, and asked of the storage at most once (posters are in both).
    Told to a visitor choosing what to save for offline use.
    """
    # Processing records each rendition's size on the row; only posters (and rows
    # processed before it did) need asking the storage.
    large: dict[str, int | FieldFile] = {}
    small: dict[str, int | FieldFile] = {}
    for step in routine.steps.all():
        video = step.stretch.video
        if video is None or not video.is_ready:
            continue
        large[video.playable.name] = video.playable_size_bytes or video.playable
        if video.playable_small:
            small[video.playable_small.name] = (
                video.playable_small_size_bytes or video.playable_small
            )
        else:  # a row processed before there were two sizes: its one file stands in
            small[video.playable.name] = large[video.playable.name]
        if video.poster:
            large[video.poster.name] = small[video.poster.name] = video.poster
    known = {name: _stored_size(size) for name, size in {**large, **small}.items()}
    return sum(known[name] for name in large), sum(known[name] for name in small)


def _stored_size(size: int | FieldFile) -> int:
    if isinstance(size, int):
        return size
    try:
        return size.size
    except OSError:  # a file gone from storage is simply not downloaded
        return 0
