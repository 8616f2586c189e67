"""Moderation in admin: status filters with counts, the pending count, bulk actions."""

import pytest

from blog.models import Comment, Post
from tests.blog.factories import image_file, make_author, make_comment, make_post

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/blog/comment/"


@pytest.fixture
def comments():
    post = make_post()
    return {
        "approved": make_comment(post, body="Approved one."),
        "pending": [
            make_comment(post, status=Comment.Status.PENDING, body=f"Pending {n}.")
            for n in range(3)
        ],
        "spam": make_comment(post, status=Comment.Status.SPAM, body="Spam one."),
    }


def test_comment_list_shows_the_pending_count_and_status_filters(admin_client, comments):
    html = admin_client.get(CHANGELIST).content.decode()
    assert "3 pending" in html
    assert "Pending (3)" in html and "Approved (1)" in html and "Spam (1)" in html


def test_comment_list_filters_by_status(admin_client, comments):
    html = admin_client.get(CHANGELIST, {"status__exact": "pending"}).content.decode()
    assert "Pending 0." in html and "Approved one." not in html


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve", Comment.Status.APPROVED),
        ("mark_spam", Comment.Status.SPAM),
        ("remove", Comment.Status.REMOVED),
    ],
)
def test_bulk_actions_set_the_status(admin_client, comments, action, status):
    pks = [c.pk for c in comments["pending"]]
    response = admin_client.post(
        CHANGELIST, {"action": action, "_selected_action": pks}, follow=True
    )
    assert response.status_code == 200
    assert set(Comment.objects.filter(pk__in=pks).values_list("status", flat=True)) == {status}
    assert "3 comments" in response.content.decode()


def test_comment_change_page_shows_private_details_to_staff(admin_client, comments):
    comment = make_comment(
        make_post(title="Another"), email="private@example.com", ip_address="203.0.113.5"
    )
    html = admin_client.get(f"{CHANGELIST}{comment.pk}/change/").content.decode()
    assert "private@example.com" in html and "203.0.113.5" in html


def test_post_admin_pages_answer(admin_client):
    post = make_post()
    make_comment(post, status=Comment.Status.PENDING)
    assert admin_client.get("/admin/blog/post/").status_code == 200
    assert admin_client.get("/admin/blog/post/add/").status_code == 200
    assert admin_client.get(f"/admin/blog/post/{post.pk}/change/").status_code == 200


def test_a_post_added_in_admin_is_rendered_and_gets_renditions(admin_client):
    author = make_author()
    response = admin_client.post(
        "/admin/blog/post/add/",
        {
            "title": "From admin",
            "slug": "",
            "author": author.pk,
            "body": "Hello **there**",
            "excerpt": "",
            "status": "published",
            "published_at_0": "2025-03-07",
            "published_at_1": "10:00:00",
            "comments_open": "on",
            "image": image_file(1200, 800),
            "image_alt": "A calm picture",
            "figures-TOTAL_FORMS": "0",
            "figures-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    post = Post.objects.get(title="From admin")
    assert post.slug == "from-admin" and "<strong>there</strong>" in post.body_html
    assert [item["width"] for item in post.image_renditions["items"]] == [480, 960, 1200]


def test_admin_refuses_a_file_that_is_not_an_image(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin_client.post(
        "/admin/blog/authorprofile/add/",
        {"name": "Sam", "slug": "", "bio": "", "avatar": SimpleUploadedFile("a.jpg", b"text")},
    )
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
