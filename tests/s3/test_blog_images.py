"""A post's featured image on S3: uploaded in admin with its renditions, shown from the bucket,
and gone from the bucket when it is replaced or the post deleted."""

import html
import re
import urllib.request

import pytest

from blog.models import Post
from tests.blog.factories import image_file, make_author

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/blog/post/add/"


@pytest.fixture
def save_post(admin_client, django_capture_on_commit_callbacks):
    """Send the post form in admin (add, or change `post`) with a featured image of `width`."""
    author = make_author()

    def save_post(width: int, post: Post | None = None) -> Post:
        data = {
            "title": "Where the psoas lives",
            "slug": "where-the-psoas-lives",
            "author": author.pk,
            "body": "From the lower spine to the thigh.",
            "excerpt": "",
            "status": "published",
            "published_at_0": "2025-03-07",
            "published_at_1": "10:00:00",
            "comments_open": "on",
            "image": image_file(width, width * 2 // 3),
            "image_alt": "A calm picture",
            "figures-TOTAL_FORMS": "0",
            "figures-INITIAL_FORMS": "0",
        }
        url = ADD_URL if post is None else f"/admin/blog/post/{post.pk}/change/"
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        return Post.objects.get()

    return save_post


def stored_names(post: Post) -> set[str]:
    return {post.image.name} | {item["name"] for item in post.image_renditions["items"]}


def test_a_featured_image_uploaded_in_admin_lands_in_the_bucket_with_its_renditions(
    save_post, s3_bucket, media_root
):
    post = save_post(1200)
    assert [item["width"] for item in post.image_renditions["items"]] == [480, 960, 1200]
    assert s3_bucket.object_names() == stored_names(post)
    for item in post.image_renditions["items"]:
        assert s3_bucket.read(item["name"])[8:12] == b"WEBP"
    assert not any(media_root.iterdir()), "nothing written to the local media folder"


def test_the_post_page_shows_the_image_from_presigned_bucket_urls(client, save_post, s3_bucket):
    post = save_post(1200)

    page = client.get(post.get_absolute_url()).content.decode()

    [(src, srcset)] = re.findall(
        r'<figure class="post-figure">\s*<img src="([^"]+)" srcset="([^"]+)"', page
    )
    candidates = [html.unescape(candidate) for candidate in srcset.split(", ")]
    urls = [html.unescape(src)] + [candidate.rsplit(" ", 1)[0] for candidate in candidates]
    prefix = f"{s3_bucket.endpoint}/{s3_bucket.name}/blog/images/renditions/"
    assert all(url.startswith(prefix) and "X-Amz-Signature=" in url for url in urls)
    assert [candidate.rsplit(" ", 1)[1] for candidate in candidates] == ["480w", "960w", "1200w"]
    for url in urls:
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.read()[8:12] == b"WEBP"


def test_replacing_the_image_removes_the_old_objects(save_post, s3_bucket):
    first = save_post(1200)
    old = stored_names(first)

    post = save_post(600, post=first)

    assert [item["width"] for item in post.image_renditions["items"]] == [480, 600]
    assert s3_bucket.object_names() == stored_names(post)
    assert not old & s3_bucket.object_names()


def test_deleting_the_post_removes_its_image_objects(
    admin_client, save_post, s3_bucket, django_capture_on_commit_callbacks
):
    post = save_post(1200)
    assert len(s3_bucket.object_names()) == 4

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/blog/post/{post.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert s3_bucket.object_names() == set()
