"""The stretch library's word search, on SQLite and on PostgreSQL (full-text, ranked, indexed)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from model_bakery import baker

from routines.forms import StretchFilterForm
from routines.models import BodyArea, Stretch
from routines.views import published_stretches
from tests.factories import make_stretch
from tests.postgres import MANY_ROWS, analyzed_plan, filler_words, index_names, postgresql_only

pytestmark = pytest.mark.django_db

NO_RESULTS = "No stretch matches those choices."


@pytest.fixture
def library():
    hips = baker.make(BodyArea, name="Hips", slug="hips")
    lunge = make_stretch(
        title="Low lunge",
        summary="Opens the hip flexor, one side at a time.",
        cues="Kneel on a soft mat.\nTuck the tailbone.",
        level=Stretch.Level.MODERATE,
    )
    lunge.body_areas.add(hips)
    make_stretch(
        title="Constructive rest",
        summary="Knees bent, feet flat on the floor.",
        cues="Let the hip flexor soften.\nBreathe slowly.",
    )
    make_stretch(title="Hamstring stretch", summary="A strap helps.", cues="Lie down.")
    make_stretch(title="Secret lunge draft", is_published=False)
    return hips


def titles(client, **params) -> list[str]:
    response = client.get("/stretches/", params)
    assert response.status_code == 200
    return [stretch.title for stretch in response.context["stretches"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("lunge", ["Low lunge"]),  # title
        ("strap", ["Hamstring stretch"]),  # summary
        ("tailbone", ["Low lunge"]),  # cues
        ("floor breathe", ["Constructive rest"]),  # every word, across fields
    ],
)
def test_search_finds_words_in_title_summary_and_cues(client, library, q, expected):
    assert titles(client, q=q) == expected


def test_search_never_shows_drafts(client, library):
    assert "Secret lunge draft" not in titles(client, q="secret lunge draft")


def test_a_search_that_matches_nothing_says_so(client, library):
    response = client.get("/stretches/", {"q": "trampoline"})
    html = response.content.decode()
    assert "0 stretches match your search" in html
    assert NO_RESULTS in html


def test_search_combines_with_the_other_filters(client, library):
    assert titles(client, q="hip flexor", area="hips") == ["Low lunge"]
    assert titles(client, q="hip flexor", level="gentle") == ["Constructive rest"]
    assert titles(client, q="hip flexor", sides="left_right") == []


def test_an_empty_search_lists_every_published_stretch(client, library):
    assert titles(client, q="") == ["Constructive rest", "Hamstring stretch", "Low lunge"]


@pytest.mark.parametrize(
    "q",
    ['"hip flexor" -lunge', "hip & | ! :*", "(((", "' OR 1=1 --", "\\", "<b>hip</b>", "-", '"'],
)
def test_search_syntax_and_stray_punctuation_never_fail(client, library, q):
    response = client.get("/stretches/", {"q": q})
    assert response.status_code == 200
    assert 'role="status"' in response.content.decode()


def test_search_results_are_paginated_and_the_next_page_keeps_the_search(client, library):
    for n in range(26):
        make_stretch(title=f"Gentle twist {n:02}", summary="A twist for the spine.")
    first = client.get("/stretches/", {"q": "twist"})
    assert len(first.context["stretches"]) == 24
    assert "26 stretches match your search" in first.content.decode()
    assert 'href="?q=twist&amp;page=2"' in first.content.decode()
    second = client.get("/stretches/", {"q": "twist", "page": 2})
    assert [s.title for s in second.context["stretches"]] == ["Gentle twist 24", "Gentle twist 25"]


def test_search_page_queries_do_not_grow_with_matches(client, library):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/stretches/", {"q": "twist", "area": "hips"}).status_code == 200
        return len(captured)

    def add_twists(count: int) -> None:
        for _ in range(count):
            make_stretch(summary="A twist.").body_areas.add(library)

    add_twists(2)
    few = queries()
    add_twists(20)
    assert queries() == few


def test_each_search_is_cached_under_its_own_address(client, library, django_assert_num_queries):
    assert titles(client, q="lunge") == ["Low lunge"]
    assert titles(client, q="strap") == ["Hamstring stretch"]
    with django_assert_num_queries(0):
        again = client.get("/stretches/", {"q": "lunge"}).content.decode()
    assert "Low lunge" in again and "Hamstring stretch" not in again


@postgresql_only
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("stretching", ["Hamstring stretch"]),
        ("lunges", ["Low lunge"]),
        ("kneeling", ["Low lunge"]),
        ("breathing", ["Constructive rest"]),
    ],
)
def test_words_match_by_their_stem(client, library, q, expected):
    assert titles(client, q=q) == expected


@postgresql_only
def test_title_matches_rank_above_summary_and_cue_matches(client, library):
    make_stretch(title="Psoas release", summary="Slow.", cues="Rest.")
    make_stretch(title="Apple", summary="Slow.", cues="Feel the psoas.")
    make_stretch(title="Banana", summary="For the psoas.", cues="Rest.")
    make_stretch(title="Cherry", summary="Slow.", cues="Feel the psoas.")
    # Equal ranks (Apple, Cherry) keep alphabetical order.
    assert titles(client, q="psoas") == ["Psoas release", "Banana", "Apple", "Cherry"]


@postgresql_only
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"hip flexor"', ["Constructive rest", "Low lunge"]),
        ('"flexor hip"', []),  # a phrase is words in that order
        ('"hip flexor" -lunge', ["Constructive rest"]),
        ("strap or tailbone", ["Hamstring stretch", "Low lunge"]),
    ],
)
def test_web_search_syntax(client, library, q, expected):
    assert sorted(titles(client, q=q)) == expected


@postgresql_only
@pytest.mark.parametrize("q", ["the", "the and of", "!!", "-"])
def test_a_search_of_only_stop_words_or_punctuation_narrows_nothing(client, library, q):
    assert titles(client, q=q) == titles(client, q="")


@postgresql_only
def test_the_search_is_answered_from_its_gin_index(library):
    assert "routines_stretch_search" in index_names("routines_stretch")
    Stretch.objects.bulk_create(
        Stretch(
            title=f"Filler {n}",
            slug=f"filler-{n}",
            summary=filler_words(8, n),
            cues=filler_words(20, n + 1),
            is_published=True,
        )
        for n in range(MANY_ROWS)
    )
    form = StretchFilterForm({"q": "hip flexor", "level": "gentle"})
    plan = analyzed_plan(form.filter(published_stretches()), "routines_stretch_search")
    assert "Bitmap Index Scan on routines_stretch_search" in plan, plan
