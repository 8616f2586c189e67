import json

import pytest
from django.core.files.base import ContentFile
from model_bakery import baker

from routines.models import SMALL_VIDEO_MEDIA, TRANSITION_SECONDS, Routine, Stretch, Video
from routines.plan import (
    DEFAULT_BREATHING,
    GET_READY_SECONDS,
    RestKind,
    gentle_hold_seconds,
    gentle_rest_seconds,
    media_size_bytes,
    routine_plan,
)
from tests.factories import make_pattern, make_routine, make_stretch

pytestmark = pytest.mark.django_db


def two_sided(**fields) -> Stretch:
    return make_stretch(sides=Stretch.Sides.LEFT_RIGHT, **fields)


def timed_total(plan: dict) -> int:
    return sum(step["seconds"] + step["rest_after_seconds"] for step in plan["steps"])


def fresh(routine: Routine) -> Routine:
    """The routine as the session view loads it."""
    return (
        Routine.objects.select_related("breathing_pattern")
        .prefetch_related("steps__stretch__video", "steps__breathing_pattern")
        .get(pk=routine.pk)
    )


def test_one_sided_step_is_one_hold_with_its_title_cues_and_seconds():
    stretch = make_stretch(
        title="Constructive rest", cues="Lie down.\n\nKnees bent.", hold_seconds=90
    )
    plan = routine_plan(make_routine({"stretch": stretch, "note": "Arrive first."}))
    [step] = plan["steps"]
    assert step["title"] == "Constructive rest"
    assert step["cues"] == ["Lie down.", "Knees bent."]
    assert step["note"] == "Arrive first."
    assert step["seconds"] == 90
    assert step["side"] == "" and step["side_label"] == ""
    assert step["position"] == 1 and step["round"] == 1 and step["rounds"] == 1
    assert step["url"] == stretch.get_absolute_url()


def test_two_sided_stretch_holds_left_then_right_with_a_switch_between():
    plan = routine_plan(make_routine({"stretch": two_sided(hold_seconds=45)}))
    left, right = plan["steps"]
    assert (left["side"], right["side"]) == ("left", "right")
    assert (left["side_label"], right["side_label"]) == ("Left side", "Right side")
    assert left["seconds"] == right["seconds"] == 45
    assert left["rest_kind"] == RestKind.SWITCH
    assert left["rest_after_seconds"] == TRANSITION_SECONDS


def test_repetitions_repeat_every_side_with_transitions_between_rounds():
    routine = make_routine(
        {"stretch": two_sided(hold_seconds=40), "repetitions": 2, "rest_after_seconds": 30},
        {"stretch": make_stretch(hold_seconds=60)},
    )
    steps = routine_plan(routine)["steps"]
    holds = [(s["round"], s["side"], s["rest_kind"], s["rest_after_seconds"]) for s in steps[:4]]
    assert holds == [
        (1, "left", RestKind.SWITCH, TRANSITION_SECONDS),
        (1, "right", RestKind.TRANSITION, TRANSITION_SECONDS),
        (2, "left", RestKind.SWITCH, TRANSITION_SECONDS),
        (2, "right", RestKind.REST, 30),
    ]
    assert {s["rounds"] for s in steps[:4]} == {2}
    assert [s["position"] for s in steps] == [1, 1, 1, 1, 2]


def test_one_sided_repetitions_transition_between_rounds():
    routine = make_routine({"stretch": make_stretch(hold_seconds=30), "repetitions": 3})
    steps = routine_plan(routine)["steps"]
    assert [s["rest_kind"] for s in steps] == [
        RestKind.TRANSITION,
        RestKind.TRANSITION,
        RestKind.NONE,
    ]


def test_rest_follows_each_step_except_the_last():
    routine = make_routine(
        {"stretch": make_stretch(hold_seconds=60), "rest_after_seconds": 20},
        {"stretch": make_stretch(hold_seconds=30), "rest_after_seconds": 99},
    )
    first, last = routine_plan(routine)["steps"]
    assert (first["rest_kind"], first["rest_after_seconds"]) == (RestKind.REST, 20)
    assert (last["rest_kind"], last["rest_after_seconds"]) == (RestKind.NONE, 0)


def test_step_hold_overrides_the_stretch_default():
    routine = make_routine({"stretch": make_stretch(hold_seconds=60), "hold_seconds": 45})
    assert routine_plan(routine)["steps"][0]["seconds"] == 45


@pytest.mark.parametrize(
    "steps",
    [
        [],
        [{"hold_seconds": 60}],
        [{"sides": "left_right", "hold_seconds": 30, "repetitions": 3, "rest_after_seconds": 10}],
        [
            {"hold_seconds": 90, "rest_after_seconds": 10},
            {"sides": "left_right", "hold_seconds": 45, "repetitions": 2, "rest_after_seconds": 15},
            {"hold_seconds": 240, "rest_after_seconds": 0},
            {"sides": "left_right", "hold_seconds": 20, "rest_after_seconds": 40},
        ],
    ],
)
def test_plan_total_equals_the_routine_duration(steps):
    routine = make_routine(
        *(
            {
                "stretch": make_stretch(sides=s.get("sides", "none")),
                "hold_seconds": s["hold_seconds"],
                "repetitions": s.get("repetitions", 1),
                "rest_after_seconds": s.get("rest_after_seconds", 15),
            }
            for s in steps
        )
    )
    plan = routine_plan(fresh(routine))
    assert plan["total_seconds"] == timed_total(plan)
    assert plan["total_seconds"] == fresh(routine).duration_seconds
    assert plan["total_seconds"] == Routine.objects.with_duration().get(pk=routine.pk).total_seconds


def test_get_ready_countdown_is_shown_apart_from_the_total():
    plan = routine_plan(make_routine({"stretch": make_stretch(hold_seconds=60)}))
    assert plan["get_ready_seconds"] == GET_READY_SECONDS > 0
    assert plan["total_seconds"] == 60


def test_breathing_comes_from_the_step_first():
    box = make_pattern(name="Box", inhale_seconds=4, hold_in_seconds=4, exhale_seconds=4)
    box.hold_out_seconds = 4
    box.save()
    routine = make_routine(
        {"stretch": make_stretch(), "breathing_pattern": box},
        breathing_pattern=make_pattern(name="Routine's"),
    )
    assert routine_plan(routine)["steps"][0]["breathing"] == {
        "name": "Box",
        "inhale_seconds": 4,
        "hold_in_seconds": 4,
        "exhale_seconds": 4,
        "hold_out_seconds": 4,
    }


def test_breathing_falls_back_to_the_routine_pattern():
    pattern = make_pattern(name="4-7-8", inhale_seconds=4, hold_in_seconds=7, exhale_seconds=8)
    routine = make_routine({"stretch": make_stretch()}, breathing_pattern=pattern)
    breathing = routine_plan(routine)["steps"][0]["breathing"]
    assert breathing["name"] == "4-7-8"
    assert (breathing["inhale_seconds"], breathing["hold_in_seconds"]) == (4, 7)


def test_breathing_falls_back_to_a_calm_default():
    routine = make_routine({"stretch": make_stretch()})
    breathing = routine_plan(routine)["steps"][0]["breathing"]
    assert breathing == DEFAULT_BREATHING
    assert (breathing["inhale_seconds"], breathing["exhale_seconds"]) == (4, 6)
    assert breathing["hold_in_seconds"] == breathing["hold_out_seconds"] == 0


def test_gentle_mode_shortens_holds_by_a_third_and_lengthens_rests():
    assert gentle_hold_seconds(90) == 60
    assert gentle_hold_seconds(45) == 30
    assert gentle_hold_seconds(40) == 27
    assert gentle_hold_seconds(5) == 5, "never below the shortest hold a step may have"
    assert gentle_rest_seconds(15) == 23
    assert gentle_rest_seconds(TRANSITION_SECONDS) == 8
    assert gentle_rest_seconds(0) == 0


def test_gentle_total_adds_up_the_gentle_steps():
    routine = make_routine(
        {"stretch": two_sided(hold_seconds=45), "rest_after_seconds": 15},
        {"stretch": make_stretch(hold_seconds=90)},
    )
    plan = routine_plan(routine)
    assert [s["gentle_seconds"] for s in plan["steps"]] == [30, 30, 60]
    assert [s["gentle_rest_after_seconds"] for s in plan["steps"]] == [8, 23, 0]
    assert plan["gentle_total_seconds"] == 30 + 8 + 30 + 23 + 60
    assert plan["gentle_total_seconds"] < plan["total_seconds"]


def ready_video(*, small: bool = True, **fields) -> Video:
    """A ready video with a 1000-byte 720p file, a 300-byte 360p one (unless not `small`)
    and a 200-byte poster."""
    video = baker.make(Video, status=Video.Status.READY, width=1280, height=720, **fields)
    video.playable.save("clip.mp4", ContentFile(b"\x00" * 1000), save=False)
    if small:
        video.playable_small.save("small.mp4", ContentFile(b"\x00" * 300), save=False)
    video.poster.save("poster.jpg", ContentFile(b"\xff" * 200), save=False)
    video.save()
    return video


def test_steps_carry_both_renditions_and_the_poster_when_the_video_is_ready():
    video = ready_video()
    routine = make_routine({"stretch": make_stretch(video=video)})
    step_video = routine_plan(routine)["steps"][0]["video"]
    assert step_video == {
        "src": video.playable_url,
        "small_src": video.playable_small_url,
        "poster": video.poster_url,
        "captions": video.captions_url,
        "width": 1280,
        "height": 720,
    }
    assert step_video["src"].startswith("/media/")
    assert step_video["small_src"] != step_video["src"]


def test_a_video_processed_before_there_were_two_sizes_plays_its_one_file_for_both():
    video = ready_video(small=False)
    routine = make_routine({"stretch": make_stretch(video=video)})
    step_video = routine_plan(routine)["steps"][0]["video"]
    assert step_video["small_src"] == step_video["src"] == video.playable_url


def test_plan_tells_the_player_where_small_videos_play():
    plan = routine_plan(make_routine({"stretch": make_stretch()}))
    assert plan["small_video_media"] == SMALL_VIDEO_MEDIA
    assert "(max-width: 640px)" in SMALL_VIDEO_MEDIA


def test_a_video_still_processing_is_left_out():
    video = ready_video()
    video.status = Video.Status.PROCESSING
    video.save()
    routine = make_routine({"stretch": make_stretch(video=video)}, {"stretch": make_stretch()})
    assert [s["video"] for s in routine_plan(routine)["steps"]] == [None, None]


def test_media_size_counts_each_file_once():
    video = ready_video()
    routine = make_routine(
        {"stretch": two_sided(video=video)},
        {"stretch": make_stretch(video=video)},
        {"stretch": make_stretch()},
    )
    assert media_size_bytes(routine) == 1200
    assert media_size_bytes(routine, small=True) == 500


def test_small_media_size_counts_the_default_file_of_a_video_without_a_small_one():
    routine = make_routine(
        {"stretch": make_stretch(video=ready_video())},
        {"stretch": make_stretch(video=ready_video(small=False))},
    )
    assert media_size_bytes(routine) == 1200 + 1200
    assert media_size_bytes(routine, small=True) == 500 + 1200


def test_plan_is_json_ready_and_names_the_routine():
    routine = make_routine({"stretch": two_sided()}, title="Evening unwind")
    plan = routine_plan(routine)
    assert json.loads(json.dumps(plan)) == plan
    assert plan["title"] == "Evening unwind"
    assert plan["slug"] == routine.slug
    assert plan["url"] == routine.get_absolute_url()
    assert plan["session_url"] == routine.get_session_url()
    assert plan["stretch_count"] == 1
