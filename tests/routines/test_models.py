import pytest

from routines.models import TRANSITION_SECONDS, BreathingPattern, Routine, Stretch
from tests.factories import make_pattern, make_routine, make_stretch

pytestmark = pytest.mark.django_db


def total_from_database(routine: Routine) -> int:
    return Routine.objects.with_duration().get(pk=routine.pk).duration_seconds


def test_one_sided_step_lasts_its_hold():
    routine = make_routine({"stretch": make_stretch(hold_seconds=60)})
    assert routine.duration_seconds == 60
    assert total_from_database(routine) == 60


def test_step_hold_overrides_stretch_default():
    routine = make_routine({"stretch": make_stretch(hold_seconds=60), "hold_seconds": 45})
    assert total_from_database(routine) == 45


def test_two_sided_step_holds_each_side_with_a_transition():
    stretch = make_stretch(hold_seconds=30, sides=Stretch.Sides.LEFT_RIGHT)
    routine = make_routine({"stretch": stretch})
    assert routine.duration_seconds == 30 * 2 + TRANSITION_SECONDS
    assert total_from_database(routine) == routine.duration_seconds


def test_repetitions_multiply_holds_per_side():
    stretch = make_stretch(hold_seconds=20, sides=Stretch.Sides.LEFT_RIGHT)
    routine = make_routine({"stretch": stretch, "repetitions": 3})
    holds = 3 * 2
    assert routine.duration_seconds == holds * 20 + (holds - 1) * TRANSITION_SECONDS
    assert total_from_database(routine) == routine.duration_seconds


def test_rest_counts_between_steps_but_not_after_the_last():
    routine = make_routine(
        {"stretch": make_stretch(hold_seconds=60), "rest_after_seconds": 20},
        {"stretch": make_stretch(hold_seconds=30), "rest_after_seconds": 99},
    )
    assert routine.duration_seconds == 60 + 20 + 30
    assert total_from_database(routine) == 110


def test_routine_without_steps_lasts_zero():
    routine = make_routine()
    assert routine.duration_seconds == 0
    assert total_from_database(routine) == 0


def test_database_and_python_totals_agree_on_a_mixed_routine():
    routine = make_routine(
        {"stretch": make_stretch(hold_seconds=90), "rest_after_seconds": 10},
        {
            "stretch": make_stretch(hold_seconds=45, sides=Stretch.Sides.LEFT_RIGHT),
            "repetitions": 2,
            "rest_after_seconds": 15,
        },
        {"stretch": make_stretch(hold_seconds=60), "hold_seconds": 120, "rest_after_seconds": 30},
    )
    fresh = Routine.objects.get(pk=routine.pk)
    assert (
        fresh.duration_seconds
        == total_from_database(routine)
        == 90 + 10 + (4 * 45 + 3 * TRANSITION_SECONDS) + 15 + 120
    )


def test_step_count_is_annotated():
    routine = make_routine({}, {}, {})
    assert Routine.objects.with_duration().get(pk=routine.pk).step_count == 3


def test_published_hides_drafts():
    shown = make_stretch(title="Shown")
    make_stretch(title="Draft", is_published=False)
    assert list(Stretch.objects.published()) == [shown]
    routine = make_routine(title="Live")
    make_routine(title="Unfinished", is_published=False)
    assert list(Routine.objects.published()) == [routine]


def test_slug_is_made_from_the_title():
    assert make_stretch(title="Half-kneeling Hip Flexor Stretch").slug == (
        "half-kneeling-hip-flexor-stretch"
    )


def test_slugs_stay_unique_for_equal_titles():
    first = make_stretch(title="Low lunge")
    second = make_stretch(title="Low lunge")
    assert first.slug == "low-lunge"
    assert second.slug == "low-lunge-2"


def test_slug_survives_a_title_change():
    """Links people saved keep working when the teacher retitles a stretch."""
    stretch = make_stretch(title="Low lunge")
    stretch.title = "Gentle low lunge"
    stretch.save()
    assert stretch.slug == "low-lunge"


def test_cue_list_skips_blank_lines():
    stretch = make_stretch(cues="Lie on your back.\n\n  Let the knees fall together. \n")
    assert stretch.cue_list == ["Lie on your back.", "Let the knees fall together."]


def test_breathing_pattern_phases_leave_out_empty_holds():
    calm = make_pattern(name="Calm", inhale_seconds=4, exhale_seconds=6)
    box = make_pattern(
        name="Box", inhale_seconds=4, hold_in_seconds=4, exhale_seconds=4, hold_out_seconds=4
    )
    assert calm.phases() == [("Breathe in", 4), ("Breathe out", 6)]
    assert [label for label, _ in box.phases()] == ["Breathe in", "Hold", "Breathe out", "Hold"]
    assert box.cycle_seconds == 16
    assert str(box) == "Box (4-4-4-4)"


def test_step_falls_back_to_the_routine_breathing_pattern():
    routine_pattern = make_pattern(name="Calm")
    own = make_pattern(name="4-7-8", inhale_seconds=4, hold_in_seconds=7, exhale_seconds=8)
    routine = make_routine({}, {"breathing_pattern": own}, breathing_pattern=routine_pattern)
    first, second = routine.steps.all()
    assert first.effective_breathing_pattern == routine_pattern
    assert second.effective_breathing_pattern == own
    assert isinstance(own, BreathingPattern)
