"""Builders for blog test data: small functions over model-bakery with sensible defaults."""

import io
import time
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from model_bakery import baker
from PIL import Image

from blog import spam
from blog.models import AuthorProfile, Category, Comment, Post, Tag


def make_author(**fields) -> AuthorProfile:
    fields = {"name": "Lena Hart", "slug": "", "bio": "Teaches slow movement.", **fields}
    fields.setdefault("user", None)
    return baker.make(AuthorProfile, **fields)


def make_post(**fields) -> Post:
    """A published post from yesterday, unless told otherwise."""
    fields = {
        "title": "Releasing the psoas",
        "slug": "",
        "body": "The psoas runs from the *lower spine* to the thigh.",
        "status": Post.Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(days=1),
        **fields,
    }
    fields.setdefault("author", make_author())
    fields.setdefault("stretch", None)
    return baker.make(Post, **fields)


def make_category(name: str = "Anatomy", **fields) -> Category:
    return baker.make(Category, name=name, slug="", **fields)


def make_tag(name: str = "psoas", **fields) -> Tag:
    return baker.make(Tag, name=name, slug="", **fields)


def make_comment(post: Post, **fields) -> Comment:
    """An approved comment on `post`."""
    fields = {
        "name": "Maren",
        "email": "maren@example.com",
        "website": "",
        "body": "Thank you, this helped.",
        "status": Comment.Status.APPROVED,
        **fields,
    }
    fields.setdefault("parent", None)
    return baker.make(Comment, post=post, **fields)


def comment_data(post: Post, **overrides) -> dict:
    """What the comment form sends, as a person who took half a minute to write it."""
    data = {
        "body": "Lovely post. The breathing part helped me most.",
        "name": "Tomás",
        "email": "tomas@example.org",
        "website": "",
        "subject": "",
        "parent": "",
        "token": spam.token_make(post.pk, issued_at=time.time() - 30),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def image_file(
    width: int = 2000, height: int = 1200, *, fmt: str = "PNG", name: str = "photo.png"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (143, 179, 165)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")
