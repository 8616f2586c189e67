"""A post with hundreds of comments renders in a fixed, small number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from model_bakery import baker

from blog.models import Category, Comment, Figure, Tag
from tests.blog.factories import image_file, make_post

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def post_with_comments(count: int):
    post = make_post(image=image_file(800, 500))
    post.categories.add(Category.objects.get_or_create(name="Anatomy")[0])
    post.tags.add(*(Tag.objects.get_or_create(name=name)[0] for name in ["psoas", "breath"]))
    Figure.objects.create(post=post, number=1, image=image_file(600, 400))
    make_post(title="Older")
    # Threads three deep: every third comment answers the one before it.
    parent = None
    for n in range(count):
        comment = baker.prepare(
            Comment,
            post=post,
            parent=parent if n % 3 else None,
            name=f"Reader {n}",
            email=f"reader{n}@example.com",
            website="https://example.com" if n % 2 else "",
            body=f"Comment number {n} with a link https://example.com/{n}",
            status=Comment.Status.APPROVED,
        )
        comment.save()
        parent = comment if n % 3 != 2 else None
    return post


def queries_for(client, post) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return len(captured), response


def test_a_post_with_200_comments_renders_in_a_bounded_number_of_queries(
    client, django_assert_max_num_queries
):
    post = post_with_comments(200)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(post.get_absolute_url())
    html = response.content.decode()
    assert "200 Responses to" in html
    assert html.count('class="comment"') + html.count('class="comment ') == 200


def test_the_query_count_does_not_grow_with_the_comments(client):
    few, _ = queries_for(client, post_with_comments(2))
    many, _ = queries_for(client, post_with_comments(200))
    assert 0 < many == few
