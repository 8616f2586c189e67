"""The demo content command: idempotent, playable videos, routines of the intended length."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from routines.models import (
    BodyArea,
    BreathingPattern,
    Routine,
    RoutineStep,
    Stretch,
    Video,
)
from routines.video import video_probe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_demo_clips")]

COUNTED = [BodyArea, BreathingPattern, Stretch, Video, Routine, RoutineStep]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_seed_demo_run_twice_leaves_the_same_counts():
    seed()
    first = counts()
    seed()
    assert counts() == first


def test_seed_demo_second_run_reports_nothing_new():
    seed()
    assert "0 rows created, 0 videos made" in seed()


def test_seed_demo_second_run_does_not_rewrite_video_files():
    seed()
    before = {v.pk: (v.original.name, v.poster.name) for v in Video.objects.all()}
    mtimes = {v.original.path: _mtime(v.original.path) for v in Video.objects.all()}
    seed()
    after = {v.pk: (v.original.name, v.poster.name) for v in Video.objects.all()}
    assert after == before
    assert {path: _mtime(path) for path in mtimes} == mtimes


def test_seed_demo_remakes_a_video_whose_file_has_gone():
    seed()
    stretch = Stretch.objects.get(slug="constructive-rest")
    stretch.video.original.storage.delete(stretch.video.original.name)
    seed()
    stretch.refresh_from_db()
    assert stretch.video.is_ready
    assert stretch.video.original.storage.exists(stretch.video.original.name)
    assert Video.objects.count() == Stretch.objects.count()


def test_seed_demo_keeps_the_teachers_edits():
    """Once loaded, the demo is the teacher's content: `make run` must not undo admin edits."""
    seed()
    Stretch.objects.filter(slug="supported-bridge").update(summary="Edited.", is_published=False)
    routine = Routine.objects.get(slug="desk-day-psoas-reset")
    routine.steps.last().delete()
    steps_left = routine.steps.count()
    seed()
    assert Stretch.objects.filter(slug__startswith="supported-bridge").count() == 1
    edited = Stretch.objects.get(slug="supported-bridge")
    assert (edited.summary, edited.is_published) == ("Edited.", False)
    assert routine.steps.count() == steps_left


def test_every_demo_stretch_has_a_ready_h264_video_with_a_poster():
    seed()
    stretches = Stretch.objects.select_related("video")
    assert stretches.count() >= 6
    for stretch in stretches:
        video = stretch.video
        assert video.is_ready, stretch.title
        probe = video_probe(video.playable.path)
        assert probe.video_codec == "h264"
        assert probe.duration_seconds > 0
        assert video.poster.storage.exists(video.poster.name)


def test_every_demo_video_has_a_720p_and_a_360p_rendition():
    seed()
    for video in Video.objects.all():
        large, small = video_probe(video.playable.path), video_probe(video.playable_small.path)
        assert (large.width, large.height, large.video_codec) == (1280, 720, "h264"), video.title
        assert (small.width, small.height, small.video_codec) == (640, 360, "h264"), video.title
        assert (video.playable_small_width, video.playable_small_height) == (640, 360)
        assert video.playable_small_size_bytes == small.size_bytes


def test_seed_demo_makes_the_small_rendition_a_demo_video_from_before_lacks():
    seed()
    video = Stretch.objects.get(slug="constructive-rest").video
    original = video.original.name
    video.playable_small.storage.delete(video.playable_small.name)
    Video.objects.filter(pk=video.pk).update(playable_small="", playable_small_size_bytes=None)
    assert "0 videos made" in seed()
    video.refresh_from_db()
    assert video.original.name == original, "processed again, not drawn again"
    assert video.playable_small.storage.exists(video.playable_small.name)
    assert video.playable_small_height == 360


def test_every_demo_stretch_is_published_with_cues_and_a_safety_note():
    seed()
    for stretch in Stretch.objects.all():
        assert stretch.is_published
        assert 3 <= len(stretch.cue_list) <= 6, stretch.title
        assert stretch.safety_note
        assert 30 <= stretch.hold_seconds <= 90
        assert stretch.body_areas.exists()


def test_at_least_two_demo_stretches_are_done_on_each_side():
    seed()
    assert Stretch.objects.filter(sides=Stretch.Sides.LEFT_RIGHT).count() >= 2


def test_seed_demo_makes_the_three_breathing_patterns():
    seed()
    counts = {
        p.name: (p.inhale_seconds, p.hold_in_seconds, p.exhale_seconds, p.hold_out_seconds)
        for p in BreathingPattern.objects.all()
    }
    assert counts == {
        "Calm breath": (4, 0, 6, 0),
        "Box breath": (4, 4, 4, 4),
        "4-7-8 breath": (4, 7, 8, 0),
    }


def test_both_demo_routines_are_published():
    seed()
    assert Routine.objects.published().count() == 2


def test_a_demo_routine_has_a_left_right_step():
    seed()
    assert RoutineStep.objects.filter(stretch__sides=Stretch.Sides.LEFT_RIGHT).exists()


def test_the_long_routine_repeats_a_step_and_overrides_the_breathing_once():
    seed()
    steps = Routine.objects.get(slug="slow-psoas-release").steps.all()
    assert any(step.repetitions == 2 for step in steps)
    assert any(step.breathing_pattern_id for step in steps)


@pytest.mark.parametrize(
    ("slug", "step_count", "minutes"),
    [("desk-day-psoas-reset", 3, (5, 7)), ("slow-psoas-release", 6, (15, 20))],
)
def test_demo_routine_lasts_the_intended_time(slug, step_count, minutes):
    seed()
    routine = Routine.objects.with_duration().get(slug=slug)
    assert routine.step_count == step_count
    low, high = minutes
    assert low * 60 <= routine.duration_seconds <= high * 60


def _mtime(path: str) -> int:
    return Path(path).stat().st_mtime_ns
