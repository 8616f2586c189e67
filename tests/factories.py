"""Builders for test data: small functions over model-bakery with sensible defaults."""

from model_bakery import baker

from routines.models import BreathingPattern, Routine, RoutineStep, Stretch


def make_pattern(**fields) -> BreathingPattern:
    fields = {"inhale_seconds": 4, "hold_in_seconds": 0, "exhale_seconds": 6, **fields}
    return baker.make(BreathingPattern, **fields)


def make_stretch(**fields) -> Stretch:
    fields = {
        "summary": "A gentle stretch.",
        "cues": "Lie down.\nBreathe.",
        "hold_seconds": 60,
        "is_published": True,
        "video": None,
        "slug": "",
        **fields,
    }
    return baker.make(Stretch, **fields)


def make_routine(*steps: dict, **fields) -> Routine:
    """A routine with one step per dict in `steps` (each may name its `stretch`)."""
    fields = {"summary": "A calm routine.", "is_published": True, "slug": "", **fields}
    fields.setdefault("breathing_pattern", None)
    routine = baker.make(Routine, **fields)
    for order, step in enumerate(steps, start=1):
        step = {"rest_after_seconds": 15, "repetitions": 1, **step}
        if "stretch" not in step:
            step["stretch"] = make_stretch()
        RoutineStep.objects.create(routine=routine, order=order, **step)
    return routine
