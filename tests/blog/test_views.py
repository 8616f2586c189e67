"""Blog pages: permalinks, archives, drafts and scheduling, search."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from model_bakery import baker

from blog.models import Comment, Figure, Post
from routines.models import Video
from tests.blog.factories import (
    image_file,
    make_author,
    make_category,
    make_comment,
    make_post,
    make_tag,
)
from tests.factories import make_stretch

pytestmark = pytest.mark.django_db


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_blog_index_lists_published_posts_with_excerpts(client):
    make_post(title="Where the psoas runs", excerpt="From spine to thigh.")
    make_post(title="Secret draft", status=Post.Status.DRAFT)
    make_post(title="Not yet", published_at=timezone.now() + timedelta(days=1))
    html = page(client, "/blog/")
    assert "Where the psoas runs" in html and "From spine to thigh." in html
    assert "Secret draft" not in html and "Not yet" not in html


def test_blog_index_is_paginated(client):
    for n in range(12):
        make_post(title=f"Post number {n}", published_at=timezone.now() - timedelta(days=n + 1))
    first, second = page(client, "/blog/"), page(client, "/blog/?page=2")
    assert "Post number 0" in first and "Post number 9" in first
    assert "Post number 10" not in first and "Post number 10" in second
    assert 'rel="next"' in first and "Page 1 of 2" in first


def test_blog_index_shows_featured_images_with_srcset_and_size(client):
    make_post(image=image_file(2000, 1000))
    html = page(client, "/blog/")
    img = re.search(r"<img [^>]*srcset=[^>]*>", html)[0]
    assert "480w" in img and "960w" in img and "1440w" in img
    assert 'width="960" height="480"' in img and "sizes=" in img


def test_post_page_shows_the_post_at_its_date_permalink(client):
    author = make_author(name="Lena Hart", bio="Lena teaches slow movement.")
    post = make_post(title="Releasing the psoas", body="It is a *reactive* muscle.", author=author)
    post.categories.add(make_category("Anatomy"), make_category("Stretching"))
    post.tags.add(make_tag("psoas"), make_tag("sitting"))
    html = page(client, post.get_absolute_url())
    assert "<h1>Releasing the psoas</h1>" in html
    assert "<em>reactive</em>" in html
    assert "About Lena Hart" in html and "Lena teaches slow movement." in html
    text = re.sub(r"<[^>]+>", "", html)
    assert (
        "This entry was posted in Anatomy, Stretching and tagged psoas, sitting. "
        "Bookmark the permalink." in text
    )
    assert f'href="{post.get_absolute_url()}" rel="bookmark"' in html


def test_post_metadata_line_reads_well_without_tags_or_categories(client):
    post = make_post()
    text = re.sub(r"<[^>]+>", "", page(client, post.get_absolute_url()))
    assert "Bookmark the permalink." in text and "This entry was" not in text


def test_a_post_is_not_found_at_another_date_or_slug(client, settings):
    settings.TIME_ZONE = "UTC"
    make_post(slug="here", published_at=timezone.make_aware(datetime(2025, 3, 7, 10, 0)))
    page(client, "/blog/2025/03/07/here/")
    page(client, "/blog/2025/03/08/here/", 404)
    page(client, "/blog/2025/03/07/there/", 404)


@pytest.mark.parametrize(
    "url", ["/blog/2025/02/31/x/", "/blog/2025/13/01/x/", "/blog/0000/00/00/x/"]
)
def test_impossible_dates_are_not_found(client, url):
    page(client, url, 404)


@pytest.mark.parametrize(
    "fields",
    [{"status": Post.Status.DRAFT}, {"published_at": timezone.now() + timedelta(days=2)}],
    ids=["draft", "scheduled"],
)
def test_unpublished_posts_are_hidden_from_visitors(client, fields):
    post = make_post(**fields)
    page(client, post.get_absolute_url(), 404)
    page(client, post.get_comments_feed_url(), 404)


@pytest.mark.parametrize(
    ("fields", "notice"),
    [
        ({"status": Post.Status.DRAFT}, "this post is a draft"),
        ({"published_at": timezone.now() + timedelta(days=2)}, "this post is scheduled for"),
    ],
    ids=["draft", "scheduled"],
)
def test_staff_preview_unpublished_posts(client, admin_user, fields, notice):
    post = make_post(title="Coming soon", **fields)
    client.force_login(admin_user)
    html = page(client, post.get_absolute_url())
    assert "Coming soon" in html and notice in html
    assert '<meta name="robots" content="noindex">' in html
    assert "Comments are closed." in html, "nobody comments on a preview"


def test_previous_and_next_posts_are_linked(client):
    older = make_post(title="Older", published_at=timezone.now() - timedelta(days=3))
    middle = make_post(title="Middle", published_at=timezone.now() - timedelta(days=2))
    make_post(title="Draft between", status=Post.Status.DRAFT)
    newer = make_post(title="Newer", published_at=timezone.now() - timedelta(days=1))
    html = page(client, middle.get_absolute_url())
    assert f'href="{older.get_absolute_url()}" rel="prev"' in html
    assert f'href="{newer.get_absolute_url()}" rel="next"' in html
    assert "Draft between" not in html


@pytest.mark.parametrize(
    ("count", "heading"),
    [(0, "No Responses"), (1, "One Response to “Rest”"), (3, "3 Responses to “Rest”")],
)
def test_responses_heading_counts_approved_comments(client, count, heading):
    post = make_post(title="Rest")
    for _ in range(count):
        make_comment(post)
    make_comment(post, status=Comment.Status.PENDING)
    make_comment(post, status=Comment.Status.SPAM)
    html = page(client, post.get_absolute_url())
    assert f'<h2 id="comments-title">{heading}</h2>' in html


def test_post_page_embeds_the_stretch_video(client):
    video = baker.make(
        Video, title="Rest demo", status=Video.Status.READY, playable="videos/rest.mp4"
    )
    stretch = make_stretch(title="Constructive rest", video=video)
    html = page(client, make_post(stretch=stretch).get_absolute_url())
    assert 'aria-label="Demo video: Constructive rest"' in html
    assert 'src="/media/videos/rest.mp4"' in html
    assert f'href="{stretch.get_absolute_url()}"' in html


def test_post_page_offers_the_small_rendition_to_narrow_screens_first(client):
    video = baker.make(
        Video,
        title="Rest demo",
        status=Video.Status.READY,
        playable="videos/rest.mp4",
        playable_small="videos/rest-small.mp4",
    )
    html = page(client, make_post(stretch=make_stretch(video=video)).get_absolute_url())
    small = html.index('<source src="/media/videos/rest-small.mp4" type="video/mp4" media="(')
    assert small < html.index('<source src="/media/videos/rest.mp4" type="video/mp4">')


def test_an_unpublished_stretch_is_not_embedded(client):
    stretch = make_stretch(title="Hidden stretch", is_published=False)
    assert "Hidden stretch" not in page(client, make_post(stretch=stretch).get_absolute_url())


def test_post_page_shows_the_featured_image_with_caption_and_credit(client):
    post = make_post(
        image=image_file(1600, 1000),
        image_alt="Diagram of the psoas",
        image_caption="Where it runs.",
        image_credit="Illustration: demo",
        image_credit_url="https://example.com/credits",
    )
    html = page(client, post.get_absolute_url())
    assert 'alt="Diagram of the psoas"' in html and "Where it runs." in html
    assert '<a href="https://example.com/credits">Illustration: demo</a>' in html
    assert 'loading="eager"' in html and 'width="960" height="600"' in html


def test_figures_are_placed_where_the_text_says_and_the_rest_follow(client):
    post = make_post(body="Before.\n\n[[figure 2]]\n\nAfter.")
    Figure.objects.create(post=post, number=1, image=image_file(800, 500), image_alt="One")
    Figure.objects.create(post=post, number=2, image=image_file(800, 500), image_alt="Two")
    html = page(client, post.get_absolute_url())
    html = html[html.index("post__body") :]
    assert html.index("Before.") < html.index('alt="Two"') < html.index("After.")
    assert html.index("After.") < html.index('alt="One"')
    assert "[[figure" not in html


def test_category_archive_lists_its_published_posts(client):
    anatomy = make_category("Anatomy")
    inside = make_post(title="Inside")
    inside.categories.add(anatomy)
    make_post(title="Outside")
    draft = make_post(title="Draft inside", status=Post.Status.DRAFT)
    draft.categories.add(anatomy)
    html = page(client, anatomy.get_absolute_url())
    assert "Category: Anatomy" in html and "Inside" in html
    assert "Outside" not in html and "Draft inside" not in html
    assert f'href="/blog/category/{anatomy.slug}/feed/"' in html


def test_tag_and_author_archives(client):
    tag = make_tag("breathing")
    lena = make_author(name="Lena Hart")
    tagged = make_post(title="Tagged post", author=lena)
    tagged.tags.add(tag)
    make_post(title="Someone else's", author=make_author(name="Sam"))
    assert "Tagged post" in page(client, tag.get_absolute_url())
    html = page(client, lena.get_absolute_url())
    assert lena.get_absolute_url() == "/blog/author/lena-hart/"
    assert "Posts by Lena Hart" in html and "Tagged post" in html and "Someone else" not in html
    page(client, "/blog/tag/nothing/", 404)


def test_date_archives(client, settings):
    settings.TIME_ZONE = "UTC"
    when = timezone.make_aware(datetime(2024, 5, 17, 9, 0))
    make_post(title="May post", published_at=when)
    make_post(title="June post", published_at=when + timedelta(days=30))
    assert "May post" in page(client, "/blog/2024/") and "June post" in page(client, "/blog/2024/")
    month = page(client, "/blog/2024/05/")
    assert "Posts from May 2024" in month and "June post" not in month
    assert "May post" in page(client, "/blog/2024/05/17/")


def test_search_finds_words_in_titles_and_bodies(client):
    make_post(title="Breath and the diaphragm", body="Slowly.")
    make_post(title="Another", body="Constructive rest on the floor.")
    make_post(title="Draft about breath", status=Post.Status.DRAFT)
    html = page(client, "/blog/search/?q=breath")
    assert "Breath and the diaphragm" in html and "Draft about breath" not in html
    assert "1 post found" in html
    assert "Another" in page(client, "/blog/search/?q=floor+constructive")
    assert "Type a word" in page(client, "/blog/search/")


def test_sidebar_lists_categories_and_months_with_posts(client):
    used, unused = make_category("Anatomy"), make_category("Empty")
    make_post().categories.add(used)
    html = page(client, "/blog/")
    assert used.get_absolute_url() in html and unused.get_absolute_url() not in html
    assert 'role="search"' in html


def test_main_navigation_links_the_blog(client):
    html = page(client, "/blog/")
    assert '<a href="/blog/" aria-current="page">Blog</a>' in html
    assert '<a href="/blog/">Blog</a>' in page(client, "/")
