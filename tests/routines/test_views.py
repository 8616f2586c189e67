import pytest
from django.urls import reverse
from model_bakery import baker

from routines.models import BodyArea, Stretch
from tests.factories import make_routine, make_stretch

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    hips = baker.make(BodyArea, name="Hips", slug="hips")
    back = baker.make(BodyArea, name="Lower back", slug="lower-back")
    lunge = make_stretch(
        title="Low lunge",
        summary="Front of the hip, one side at a time.",
        level=Stretch.Level.MODERATE,
        sides=Stretch.Sides.LEFT_RIGHT,
    )
    lunge.body_areas.add(hips)
    rest = make_stretch(title="Constructive rest", summary="Knees bent, feet flat, breathe.")
    rest.body_areas.add(back)
    make_stretch(title="Secret draft", is_published=False)
    routine = make_routine(
        {"stretch": rest, "rest_after_seconds": 10}, {"stretch": lunge}, title="Evening unwind"
    )
    return {"lunge": lunge, "rest": rest, "routine": routine}


def titles(response) -> list[str]:
    return [s.title for s in response.context["stretches"]]


@pytest.mark.parametrize("name", ["home", "routines:stretch_list", "routines:routine_list"])
def test_list_pages_answer(client, library, name):
    assert client.get(reverse(name)).status_code == 200


def test_stretch_page_shows_cues_safety_hold_and_routines(client, library):
    lunge = library["lunge"]
    lunge.cues = "Kneel on a soft mat.\nTuck the tailbone slightly."
    lunge.safety_note = "Never into pinching at the front of the hip."
    lunge.hold_seconds = 45
    lunge.save()
    response = client.get(lunge.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<li>Kneel on a soft mat.</li>" in html
    assert "Never into pinching" in html
    assert "45 s each side" in html
    assert "Evening unwind" in html


def test_routine_page_shows_steps_total_and_start_link(client, library):
    routine = library["routine"]
    response = client.get(routine.get_absolute_url())
    html = response.content.decode()
    assert "Constructive rest" in html and "Low lunge" in html
    assert html.index("Constructive rest") < html.index("Low lunge")
    assert "Then rest 10 s" in html
    # 60 + 10 rest + (60 + 5 + 60) two-sided = 195 s
    assert "3 min 15 s" in html
    assert f'href="{routine.get_session_url()}"' in html
    assert routine.get_session_url() == f"/routines/{routine.slug}/session/"


def test_session_page_lists_every_step_without_javascript(client, library):
    response = client.get(library["routine"].get_session_url())
    assert response.status_code == 200
    assert "Constructive rest" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/stretches/no-such-stretch/",
        "/routines/no-such-routine/",
        "/routines/no-such-routine/session/",
        "/nowhere/",
    ],
)
def test_unknown_slugs_are_404(client, library, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We couldn" in response.content.decode()


def test_draft_stretch_is_404(client, library):
    draft = Stretch.objects.get(title="Secret draft")
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_draft_routine_is_not_listed_and_is_404(client, library):
    draft = make_routine(title="Work in progress", is_published=False)
    assert "Work in progress" not in client.get("/routines/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_stretch_search_matches_words(client, library):
    assert titles(client.get("/stretches/", {"q": "feet flat"})) == ["Constructive rest"]


def test_stretch_filters_by_area_level_and_sides(client, library):
    assert titles(client.get("/stretches/", {"area": "hips"})) == ["Low lunge"]
    assert titles(client.get("/stretches/", {"level": "gentle"})) == ["Constructive rest"]
    assert titles(client.get("/stretches/", {"sides": "left_right"})) == ["Low lunge"]


def test_unknown_filter_value_shows_an_error_not_a_crash(client, library):
    response = client.get("/stretches/", {"level": "extreme", "q": "lunge"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert 'value="lunge"' in html, "what the visitor typed is kept"


def test_drafts_never_appear_in_search(client, library):
    assert "Secret draft" not in titles(client.get("/stretches/", {"q": "secret"}))


def make_many(n: int) -> None:
    area = BodyArea.objects.first()
    for _ in range(n):
        stretch = make_stretch()
        stretch.body_areas.add(area)
        make_routine({"stretch": stretch}, {"stretch": stretch})


@pytest.mark.parametrize("url", ["/", "/stretches/", "/routines/", "/stretches/?area=hips&q=a"])
def test_list_page_queries_do_not_grow_with_rows(
    client, library, url, django_assert_max_num_queries
):
    make_many(3)
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    make_many(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_detail_page_queries_do_not_grow_with_steps(client, library, django_assert_max_num_queries):
    stretches = [make_stretch() for _ in range(3)]
    routine = make_routine(*({"stretch": s} for s in stretches))
    with django_assert_max_num_queries(8) as few:
        client.get(routine.get_absolute_url())
    for order, stretch in enumerate([make_stretch() for _ in range(20)], start=10):
        routine.steps.create(stretch=stretch, order=order)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(routine.get_absolute_url())


def test_pages_carry_a_strict_content_security_policy(client, library):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "object-src 'none'" in policy
