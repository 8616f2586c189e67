"""Cues timed to the demo video: how a line is read, the teacher's checks in admin, the
WebVTT chapters track made from them (read back with webvtt-py), and the page markup."""

import io
import re

import pytest
import webvtt
from django.core.exceptions import ValidationError
from django.urls import reverse
from model_bakery import baker

from routines.cues import Cue, parse_cue, parse_cues
from routines.models import Stretch, Video
from routines.plan import routine_plan
from tests.factories import make_routine, make_stretch
from tests.psoasapp.test_security_headers import assert_no_inline_code, assert_security_headers

TIMED = "0:00 Kneel on a blanket.\n0:04 Tuck the pelvis.\nBreathe.\n0:09 Ease forward."


def ready_video(duration_seconds: float | None = 12.0, **fields) -> Video:
    return baker.make(
        Video,
        status=Video.Status.READY,
        playable="videos/lunge.mp4",
        duration_seconds=duration_seconds,
        width=640,
        height=360,
        **fields,
    )


def read_vtt(text: str) -> list[tuple[float, float, str]]:
    """The chapters as a real WebVTT parser reads them: (start, end, text)."""
    captions = webvtt.from_buffer(io.StringIO(text))
    return [
        (c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000, c.text)
        for c in captions
    ]


# Reading a line ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "cue"),
    [
        ("0:12 Let the knee sink", Cue("Let the knee sink", 12)),
        ("  1:05   Breathe out slowly  ", Cue("Breathe out slowly", 65)),
        ("12:00 Rest", Cue("Rest", 720)),
        ("1:02:03 Come up slowly", Cue("Come up slowly", 3723)),
        ("Let the knee sink", Cue("Let the knee sink")),
        ("12 slow breaths", Cue("12 slow breaths")),
        ("Hold for 0:30, then rest", Cue("Hold for 0:30, then rest")),
    ],
)
def test_a_line_may_start_with_its_time_in_the_video(line, cue):
    assert parse_cue(line) == (cue, "")


@pytest.mark.parametrize("line", ["1:75 Too many seconds", "1:1 ratio breathing", "0:05"])
def test_a_line_that_only_looks_timed_keeps_all_its_words(line):
    """Shown whole rather than losing words; the admin form says what is wrong."""
    cue, problem = parse_cue(line)
    assert cue == Cue(line) and problem


def test_visitors_get_the_words_without_the_times():
    stretch = Stretch(cues=TIMED + "\n\n")
    assert stretch.cue_list == [
        "Kneel on a blanket.",
        "Tuck the pelvis.",
        "Breathe.",
        "Ease forward.",
    ]


# The teacher's checks ----------------------------------------------------------------------


def cue_errors_of(stretch: Stretch) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        stretch.full_clean()
    return raised.value.message_dict["cues"]


@pytest.mark.django_db
def test_times_within_a_known_video_are_accepted():
    make_stretch(cues=TIMED, video=ready_video(12.0)).full_clean()


@pytest.mark.django_db
def test_a_time_that_is_not_one_is_refused_naming_its_line():
    stretch = make_stretch(cues="0:00 Kneel.\n\n1:75 Tuck the pelvis.")
    assert cue_errors_of(stretch) == [
        "Line 3: “1:75” is not a time. Write minutes and seconds, like 0:12 or 1:05, or start "
        "the line with a word."
    ]


@pytest.mark.django_db
def test_a_time_with_no_words_is_refused():
    assert cue_errors_of(make_stretch(cues="Kneel.\n0:05")) == [
        "Line 2: there are no words after the time 0:05."
    ]


@pytest.mark.django_db
def test_a_time_past_the_end_of_the_video_is_refused_with_the_latest_allowed():
    stretch = make_stretch(cues="0:00 Kneel.\n0:12 Tuck.", video=ready_video(12.0))
    assert cue_errors_of(stretch) == [
        "Line 2: 0:12 is past the end of the video. In this video a cue can start at 0:11 at "
        "the latest."
    ]


@pytest.mark.django_db
def test_times_must_follow_the_video_in_order():
    (message,) = cue_errors_of(make_stretch(cues="0:08 Kneel.\nBreathe.\n0:04 Tuck."))
    assert message.startswith("Line 3: 0:04 does not come after the time on line 1 (0:08).")


@pytest.mark.django_db
@pytest.mark.parametrize("video", [None, "unprobed"])
def test_any_time_is_accepted_while_the_videos_length_is_unknown(video):
    if video:
        video = baker.make(Video, status=Video.Status.PENDING, duration_seconds=None)
    make_stretch(cues="0:00 Kneel.\n45:00 Tuck.", video=video).full_clean()


def admin_form_data(stretch: Stretch, **changes) -> dict:
    data = {
        "title": stretch.title,
        "slug": stretch.slug,
        "summary": stretch.summary,
        "cues": stretch.cues,
        "safety_note": stretch.safety_note,
        "hold_seconds": stretch.hold_seconds,
        "sides": stretch.sides,
        "level": stretch.level,
        "video": stretch.video_id or "",
        "is_published": "on",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_admin_shows_the_problem_and_keeps_what_was_typed(admin_client):
    stretch = make_stretch(title="Lunge", cues="Kneel.", video=ready_video(10.0))
    typed = "0:00 Kneel on a blanket.\n0:15 Ease forward."
    url = reverse("admin:routines_stretch_change", args=[stretch.pk])
    response = admin_client.post(url, admin_form_data(stretch, cues=typed))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Line 2: 0:15 is past the end of the video" in html
    assert typed in html  # the textarea still holds it
    stretch.refresh_from_db()
    assert stretch.cues == "Kneel."


@pytest.mark.django_db
def test_admin_saves_timed_cues_and_says_what_they_do(admin_client):
    stretch = make_stretch(title="Lunge", cues="Kneel.", video=ready_video(12.0))
    url = reverse("admin:routines_stretch_change", args=[stretch.pk])
    response = admin_client.post(url, admin_form_data(stretch, cues=TIMED))
    assert response.status_code == 302
    stretch.refresh_from_db()
    assert stretch.cues == TIMED
    html = admin_client.get(url).content.decode()
    assert "3 timed cues follow the video." in html
    assert "0:12 Let the knee sink" in html  # the help says how to write a time


@pytest.mark.django_db
def test_publishing_from_the_list_is_not_stopped_by_cues_the_video_outgrew(admin_client):
    """A shorter video replaced the one the cues were timed to; the list's checkbox still works."""
    stretch = make_stretch(cues="0:00 Kneel.\n0:30 Tuck.", is_published=False)
    Stretch.objects.filter(pk=stretch.pk).update(video=ready_video(12.0))
    response = admin_client.post(
        reverse("admin:routines_stretch_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": stretch.pk,
            "form-0-is_published": "on",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    assert Stretch.objects.get(pk=stretch.pk).is_published
    html = admin_client.get(reverse("admin:routines_stretch_change", args=[stretch.pk])).content
    assert "1 of 2 cue times are past the end of the video (0:12)" in html.decode()


# The chapters track ------------------------------------------------------------------------


@pytest.fixture
def lunge(db):
    return make_stretch(title="Lunge", slug="lunge", cues=TIMED, video=ready_video(12.5))


def chapters(client, stretch, **params):
    url = reverse("routines:stretch_chapters", kwargs={"slug": stretch.slug})
    return client.get(url, params)


def test_chapters_are_served_as_webvtt_one_per_timed_cue(client, lunge):
    response = chapters(client, lunge)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert read_vtt(response.content.decode()) == [
        (0.0, 4.0, "Kneel on a blanket."),
        (4.0, 9.0, "Tuck the pelvis."),
        (9.0, 12.5, "Ease forward."),  # until the end of the video
    ]


def test_cue_text_survives_the_trip_through_webvtt(client, db):
    stretch = make_stretch(cues="0:01 Knees <together> & --> breathe", video=ready_video())
    (chapter,) = read_vtt(chapters(client, stretch).content.decode())
    assert "-->" not in chapters(client, stretch).content.decode().splitlines()[-1]
    # webvtt-py gives the text as written in the file: entities, as the browser decodes them.
    assert chapter[2] == "Knees &lt;together&gt; &amp; --&gt; breathe"


def test_cues_past_the_end_of_a_replaced_video_are_left_out(client, lunge):
    lunge.video.duration_seconds = 6.0
    lunge.video.save()
    assert read_vtt(chapters(client, lunge).content.decode()) == [
        (0.0, 4.0, "Kneel on a blanket."),
        (4.0, 6.0, "Tuck the pelvis."),
    ]


@pytest.mark.parametrize(
    "case", ["no timed cue", "video not ready", "no video", "length unknown", "unpublished"]
)
def test_no_chapters_without_timed_cues_on_a_ready_video(client, db, case):
    stretch = make_stretch(cues=TIMED, video=ready_video())
    if case == "no timed cue":
        stretch.cues = "Kneel.\nTuck."
    elif case == "video not ready":
        stretch.video.status = Video.Status.PROCESSING
    elif case == "no video":
        stretch.video = None
    elif case == "length unknown":
        stretch.video.duration_seconds = None
    else:
        stretch.is_published = False
    if stretch.video:
        stretch.video.save()
    stretch.save()
    assert chapters(client, stretch).status_code == 404
    html = client.get(stretch.get_absolute_url()).content.decode()
    assert 'kind="chapters"' not in html


def test_chapters_change_when_the_cues_change(client, lunge):
    first = chapters(client, lunge).content
    assert chapters(client, lunge).content == first  # the stored copy
    lunge.cues = "0:02 Kneel."
    lunge.save()
    assert read_vtt(chapters(client, lunge).content.decode()) == [(2.0, 12.5, "Kneel.")]


def test_chapters_change_when_the_video_changes(client, lunge):
    chapters(client, lunge)
    lunge.video.duration_seconds = 10.0
    lunge.video.save()
    assert read_vtt(chapters(client, lunge).content.decode())[-1] == (9.0, 10.0, "Ease forward.")


def test_the_address_on_the_page_may_be_kept_by_browsers_and_others_are_checked(client, lunge):
    version = lunge.chapters_url.partition("?v=")[2]
    assert chapters(client, lunge, v=version)["Cache-Control"] == (
        "public, max-age=31536000, immutable"
    )
    assert chapters(client, lunge)["Cache-Control"] == "no-cache"
    assert chapters(client, lunge, v="stale")["Cache-Control"] == "no-cache"


def test_the_chapters_response_has_the_security_headers(client, lunge):
    assert_security_headers(chapters(client, lunge), https=False)


# The pages -------------------------------------------------------------------------------


def test_stretch_page_video_has_the_chapters_track(client, lunge):
    html = client.get(lunge.get_absolute_url()).content.decode()
    track = re.search(r'<track kind="chapters"[^>]*>', html)[0]
    assert f'src="{lunge.chapters_url}"' in track.replace("&amp;", "&")
    assert 'srclang="en"' in track and 'label="Cues"' in track
    assert "stretch-page.js" in html


def test_the_chapters_address_changes_with_the_cues(client, lunge):
    before = lunge.chapters_url
    lunge.cues = TIMED.replace("0:09", "0:10")
    lunge.save()
    html = client.get(lunge.get_absolute_url()).content.decode()
    assert lunge.chapters_url != before and lunge.chapters_url in html.replace("&amp;", "&")


def test_stretch_page_lists_the_cues_with_their_moments_but_never_shows_a_time(client, lunge):
    html = client.get(lunge.get_absolute_url()).content.decode()
    cues = re.search(r'<ol class="cues" data-cues>(.*?)</ol>', html, re.S)[1]
    assert re.findall(r"<li([^>]*)>([^<]*)</li>", cues) == [
        (' data-cue-start="0"', "Kneel on a blanket."),
        (' data-cue-start="4"', "Tuck the pelvis."),
        ("", "Breathe."),
        (' data-cue-start="9"', "Ease forward."),
    ]
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\b\d+:\d\d\b", text)
    # The announce box and hint are for the script to show; without it the list is all there is.
    assert re.search(r'<div class="cue-controls" data-cue-controls hidden>', html)
    assert_no_inline_code(html, None)


def test_a_stretch_without_timed_cues_gets_no_cue_script(client, db):
    stretch = make_stretch(cues="Kneel.\nTuck.", video=ready_video())
    html = client.get(stretch.get_absolute_url()).content.decode()
    assert "data-cue-start" not in html and "stretch-page.js" not in html
    assert "Announce cues" not in html


def test_session_plan_carries_each_cues_moment_and_the_chapters(lunge):
    step = routine_plan(make_routine({"stretch": lunge}))["steps"][0]
    assert step["cues"] == ["Kneel on a blanket.", "Tuck the pelvis.", "Breathe.", "Ease forward."]
    assert step["cue_starts"] == [0, 4, None, 9]
    assert step["chapters_url"] == lunge.chapters_url


def test_session_page_preloads_the_cue_module_so_an_offline_copy_has_it(client, lunge):
    routine = make_routine({"stretch": lunge})
    html = client.get(routine.get_session_url()).content.decode()
    assert re.search(r'<link rel="modulepreload" href="[^"]*cue-sync[^"]*\.js">', html)


def test_parsed_cues_skip_blank_lines():
    assert parse_cues("\n0:01 A\n\n  \nB\n") == [Cue("A", 1), Cue("B")]
