"""Images staff upload in admin: an SVG (which can carry scripts) is refused, nothing stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from blog.images import SVG_REFUSED
from blog.models import AuthorProfile, Post
from tests.blog.factories import make_author

pytestmark = pytest.mark.django_db

SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/admin/').then(r => r.text()).then(alert)</script></svg>"
)


def post_data(author, image) -> dict:
    return {
        "title": "With a drawing",
        "slug": "",
        "author": author.pk,
        "body": "Hello",
        "excerpt": "",
        "status": "published",
        "published_at_0": "2025-03-07",
        "published_at_1": "10:00:00",
        "comments_open": "on",
        "image": image,
        "image_alt": "A drawing",
        "figures-TOTAL_FORMS": "0",
        "figures-INITIAL_FORMS": "0",
    }


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()]


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("drawing.svg", "image/svg+xml"), ("photo.png", "image/png")],  # the second in disguise
)
def test_an_svg_post_image_is_refused_and_nothing_is_stored(
    admin_client, media_root, name, content_type
):
    image = SimpleUploadedFile(name, SVG, content_type=content_type)
    response = admin_client.post("/admin/blog/post/add/", post_data(make_author(), image))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["image"] == [SVG_REFUSED]
    assert SVG_REFUSED in response.content.decode()
    assert not Post.objects.exists()
    assert stored_files(media_root) == []


def test_an_svg_avatar_is_refused_and_nothing_is_stored(admin_client, media_root):
    avatar = SimpleUploadedFile("me.svg", SVG, content_type="image/svg+xml")
    response = admin_client.post(
        "/admin/blog/authorprofile/add/", {"name": "Sam", "slug": "", "bio": "", "avatar": avatar}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["avatar"] == [SVG_REFUSED]
    assert not AuthorProfile.objects.exists()
    assert stored_files(media_root) == []
