"""The blog's demo content: a full post, created once, never overwriting the teacher's edits."""

import pytest
from django.core.files.storage import default_storage

from blog.demo import POST_SLUG, seed_blog
from blog.models import AuthorProfile, Category, Comment, Figure, Post, Tag
from tests.factories import make_stretch

pytestmark = pytest.mark.django_db

MODELS = [AuthorProfile, Category, Tag, Post, Figure, Comment]


@pytest.fixture
def stretch():
    return make_stretch(slug="constructive-rest", title="Constructive rest")


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_demo_post_is_published_with_the_stretch_and_its_companions(stretch):
    seed_blog()
    post = Post.objects.get(slug=POST_SLUG)
    assert post.is_published and post.accepts_comments
    assert post.stretch == stretch
    assert post.categories.count() == 2 and post.tags.count() >= 3
    assert post.author.bio and post.author.avatar_images
    for heading in ["Where it runs", "Why sitting tightens it", "ribs", "Why to go gently"]:
        assert heading in post.body_html


def test_the_demo_illustrations_are_drawn_here_and_credited(stretch):
    seed_blog()
    post = Post.objects.get(slug=POST_SLUG)
    figure = post.figures.get()
    for image in [post, figure]:
        assert image.image_alt and image.image_caption
        assert image.image_credit == "Illustration: psoasapp demo content"
        assert len(image.images.items) == 3
        assert all(default_storage.exists(item.name) for item in image.images.items)
    assert "[[figure 1]]" in post.body


def test_the_demo_comments_are_approved_and_one_is_a_reply(stretch):
    seed_blog()
    comments = Comment.objects.all()
    assert comments.count() >= 3
    assert set(comments.values_list("status", flat=True)) == {Comment.Status.APPROVED}
    assert comments.filter(parent__isnull=False).count() == 1


def test_seeding_twice_creates_nothing_more(stretch):
    assert seed_blog() > 0
    before = counts()
    assert seed_blog() == 0
    assert counts() == before


def test_seeding_keeps_the_teachers_edits(stretch):
    seed_blog()
    Post.objects.filter(slug=POST_SLUG).update(title="Edited title", status="draft")
    Comment.objects.filter(parent__isnull=False).delete()
    seed_blog()
    post = Post.objects.get(slug=POST_SLUG)
    assert (post.title, post.status) == ("Edited title", "draft")
    assert not Comment.objects.filter(parent__isnull=False).exists()


def test_the_demo_works_without_the_stretch():
    seed_blog()
    assert Post.objects.get(slug=POST_SLUG).stretch is None
