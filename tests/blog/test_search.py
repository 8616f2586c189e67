"""The blog's search, on SQLite and on PostgreSQL (full-text, ranked, indexed)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post
from tests.blog.factories import make_author, make_comment, make_post
from tests.postgres import MANY_ROWS, analyzed_plan, filler_words, index_names, postgresql_only

pytestmark = pytest.mark.django_db

EMPTY_SEARCH = "Type a word or two to search the posts."


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def posts():
    author = make_author()
    make_post(
        title="Breath and the diaphragm",
        body="The diaphragm sits on the psoas.",
        author=author,
        published_at=days_ago(3),
    )
    make_post(
        title="Constructive rest",
        body="Lie on the floor, knees bent. Let the hip flexor soften.",
        author=author,
        published_at=days_ago(2),
    )
    make_post(title="Draft on breath", body="Unfinished.", status=Post.Status.DRAFT, author=author)
    make_post(title="Breath, scheduled", body="Soon.", published_at=timezone.now() + timedelta(1))


def search(client, q: str, **params):
    response = client.get("/blog/search/", {"q": q, **params})
    assert response.status_code == 200
    return response


def titles(client, q: str, **params) -> list[str]:
    return [post.title for post in search(client, q, **params).context["object_list"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("diaphragm", ["Breath and the diaphragm"]),  # title and body
        ("floor", ["Constructive rest"]),  # body
        ("floor knees", ["Constructive rest"]),  # every word
    ],
)
def test_search_finds_words_in_titles_and_bodies(client, posts, q, expected):
    assert titles(client, q) == expected


def test_search_never_shows_drafts_or_scheduled_posts(client, posts):
    assert titles(client, "breath") == ["Breath and the diaphragm"]


def test_a_search_that_matches_nothing_says_so(client, posts):
    html = search(client, "trampoline").content.decode()
    assert "0 posts found" in html
    assert "No post matches “trampoline”. Try fewer or different words." in html


def test_an_empty_search_asks_for_words(client, posts):
    html = search(client, "   ").content.decode()
    assert EMPTY_SEARCH in html


@pytest.mark.parametrize(
    "q",
    ['"hip flexor" -rest', "hip & | ! :*", "(((", "' OR 1=1 --", "\\", "<b>", "a\x00b", '"'],
)
def test_search_syntax_stray_punctuation_and_nul_bytes_never_fail(client, posts, q):
    assert 'role="status"' in search(client, q).content.decode()


def test_search_results_are_paginated_and_the_next_page_keeps_the_search(client, posts):
    author = make_author(name="Ana")
    for n in range(12):
        make_post(
            title=f"Pelvic tilt {n:02}", body="Tilt.", author=author, published_at=days_ago(n)
        )
    first = search(client, "pelvic")
    html = first.content.decode()
    assert len(first.context["object_list"]) == 10
    assert "12 posts found" in html
    assert 'href="?q=pelvic&amp;page=2"' in html
    # Newest first, so the last page holds the two oldest.
    assert titles(client, "pelvic", page=2) == ["Pelvic tilt 10", "Pelvic tilt 11"]


def test_search_page_queries_do_not_grow_with_matches(client, posts):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            search(client, "pelvic")
        return len(captured)

    def add_posts(count: int) -> None:
        for _ in range(count):
            make_comment(make_post(title="Pelvic tilt", body="Tilt.", author=make_author()))

    add_posts(2)
    few = queries()
    add_posts(12)
    assert queries() == few


def test_each_search_is_cached_under_its_own_address(client, posts, django_assert_num_queries):
    assert titles(client, "floor") == ["Constructive rest"]
    assert titles(client, "diaphragm") == ["Breath and the diaphragm"]
    with django_assert_num_queries(0):
        again = client.get("/blog/search/", {"q": "floor"}).content.decode()
    assert "Constructive rest" in again and "Breath and the diaphragm" not in again


@postgresql_only
@pytest.mark.parametrize(
    ("q", "expected"),
    [("breathing", ["Breath and the diaphragm"]), ("softening flexors", ["Constructive rest"])],
)
def test_words_match_by_their_stem(client, posts, q, expected):
    assert titles(client, q) == expected


@postgresql_only
def test_title_matches_rank_above_body_matches_then_newest_first(client, posts):
    author = make_author(name="Ana")
    make_post(title="Psoas basics", body="Slow.", author=author, published_at=days_ago(30))
    make_post(title="Older walk", body="Mind the psoas.", author=author, published_at=days_ago(20))
    make_post(title="Newer walk", body="Mind the psoas.", author=author, published_at=days_ago(10))
    assert titles(client, "psoas") == [
        "Psoas basics",
        "Breath and the diaphragm",
        "Newer walk",
        "Older walk",
    ]


@postgresql_only
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"hip flexor"', ["Constructive rest"]),
        ('"flexor hip"', []),
        ("rest or diaphragm -psoas", ["Constructive rest"]),
        ("diaphragm or knees", ["Breath and the diaphragm", "Constructive rest"]),
    ],
)
def test_web_search_syntax(client, posts, q, expected):
    assert sorted(titles(client, q)) == expected


@postgresql_only
@pytest.mark.parametrize("q", ["the", "the and of", "!!"])
def test_a_search_of_only_stop_words_is_an_empty_search(client, posts, q):
    response = search(client, q)
    assert EMPTY_SEARCH in response.content.decode()
    assert list(response.context["object_list"]) == []


@postgresql_only
def test_the_search_is_answered_from_its_gin_index(posts):
    assert "blog_post_search" in index_names("blog_post")
    author = make_author(name="Ana")
    Post.objects.bulk_create(
        Post(
            title=f"Filler {n}",
            slug=f"filler-{n}",
            author=author,
            body=filler_words(150, n),
            status=Post.Status.PUBLISHED,
            published_at=days_ago(n % 300),
        )
        for n in range(MANY_ROWS)
    )
    posts = Post.objects.published().for_lists().search("hip flexor")
    plan = analyzed_plan(posts, "blog_post_search")
    assert "Bitmap Index Scan on blog_post_search" in plan, plan
