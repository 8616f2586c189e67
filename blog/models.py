"""Posts with categories, tags, authors and figures, and the comments readers leave on them."""

import html
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify

from routines.models import SlugFromFieldMixin, Stretch
from routines.search import full_text_search, is_postgresql

from .images import (
    AVATAR_WIDTHS,
    FEATURED_WIDTHS,
    Renditions,
    avatar_upload_to,
    image_upload_to,
    renditions_sync,
    validate_image,
)
from .markup import comment_to_html, markdown_to_html

# A paragraph holding only "[[figure 2]]" is where a post's second figure goes.
FIGURE_PLACEHOLDER = re.compile(r"<p>\s*\[\[\s*figure\s+(\d+)\s*\]\]\s*</p>", re.IGNORECASE)
EXCERPT_WORDS = 45

web_url_validator = URLValidator(schemes=["http", "https"])


class Category(SlugFromFieldMixin, models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True, blank=True)
    description = models.TextField(blank=True)

    slug_source = "name"

    class Meta:
        ordering = ["name"]
        verbose_name = "category"
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:category", kwargs={"slug": self.slug})


class Tag(SlugFromFieldMixin, models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True, blank=True)

    slug_source = "name"

    class Meta:
        ordering = ["name"]
        verbose_name = "tag"
        verbose_name_plural = "tags"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:tag", kwargs={"slug": self.slug})


class AuthorProfile(SlugFromFieldMixin, models.Model):
    """How an author appears on the site: a name, a bio and a picture, never their login."""

    slug_source = "name"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="The account that writes as this author. Its email address is told about new "
        "comments and is never shown.",
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True, blank=True)
    bio = models.TextField(blank=True, help_text='Shown after each post as "About <name>".')
    avatar = models.ImageField(
        upload_to=avatar_upload_to, max_length=255, blank=True, validators=[validate_image]
    )
    avatar_renditions = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "author profile"
        verbose_name_plural = "author profiles"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "avatar" in update_fields:
            renditions_sync(self, "avatar", widths=AVATAR_WIDTHS, square=True)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("blog:author", kwargs={"slug": self.slug})

    @cached_property
    def avatar_images(self) -> Renditions:
        return Renditions(self.avatar_renditions)


class CreditedImage(models.Model):
    """An image with what a reader is owed: a description, a caption and the maker's credit."""

    image = models.ImageField(
        upload_to=image_upload_to, max_length=255, blank=True, validators=[validate_image]
    )
    image_alt = models.CharField(
        "alternative text",
        max_length=300,
        blank=True,
        help_text="What the image shows, for people who cannot see it.",
    )
    image_caption = models.CharField("caption", max_length=300, blank=True)
    image_credit = models.CharField(
        "credit",
        max_length=200,
        blank=True,
        help_text='Who made it, e.g. "Illustration: Jane Doe" or "Photo: Wikimedia Commons".',
    )
    image_credit_url = models.URLField(
        "credit link",
        blank=True,
        validators=[web_url_validator],
        help_text="Where the image comes from, or its maker's page.",
    )
    image_renditions = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "image" in update_fields:
            renditions_sync(self, "image", widths=FEATURED_WIDTHS)
        super().save(*args, **kwargs)

    @cached_property
    def images(self) -> Renditions:
        return Renditions(self.image_renditions)


class PostQuerySet(models.QuerySet):
    def published(self):
        """What visitors may see: published, and not scheduled for later."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=timezone.now())

    def on_date(self, year: int, month: int, day: int):
        """Posts whose publication falls on that day in the site's time zone.

        An impossible date (31 February) raises ValueError, which a view turns into a 404.
        """
        start = timezone.make_aware(datetime(int(year), int(month), int(day)))
        return self.filter(published_at__gte=start, published_at__lt=start + timedelta(days=1))

    # Weighted for ranking on PostgreSQL; migration 0002_post_search_index indexes them.
    SEARCH_FIELDS = (("title", "A"), ("body", "B"))

    def search(self, text: str):
        """Posts whose title or body contains every word of `text`.

        On PostgreSQL words match by their stem, the best matches come first (the newest
        among equals), and `"phrase"`, `-word` and `or` work as in a web search.
        """
        if is_postgresql(self):
            return full_text_search(self, text, self.SEARCH_FIELDS).order_by(
                "-search_rank", "-published_at", "-pk"
            )
        qs = self
        for word in text.split()[:10]:
            qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word))
        return qs

    def next_timed_change(self) -> datetime | None:
        """When a visitor's view of the posts next changes by itself, or None.

        A scheduled post goes live at its publication time; with
        BLOG_COMMENTS_CLOSE_AFTER_DAYS set, a post stops taking comments that many days on.
        """
        now = timezone.now()
        scheduled = self.filter(status=Post.Status.PUBLISHED, published_at__gt=now)
        due = [scheduled.order_by("published_at").values_list("published_at", flat=True).first()]
        if days := settings.BLOG_COMMENTS_CLOSE_AFTER_DAYS:
            closing = self.filter(
                status=Post.Status.PUBLISHED,
                comments_open=True,
                published_at__gt=now - timedelta(days=days),
            )
            first = closing.order_by("published_at").values_list("published_at", flat=True).first()
            due.append(first + timedelta(days=days) if first else None)
        return min((when for when in due if when is not None), default=None)

    def with_comment_count(self):
        return self.annotate(
            comment_count=Count("comments", filter=Q(comments__status=Comment.Status.APPROVED))
        )

    def for_lists(self):
        """Everything a post's entry in a list shows, in two queries however many posts."""
        return (
            self.select_related("author")
            .prefetch_related("categories")
            .with_comment_count()
            .order_by("-published_at", "-pk")
        )


class Post(CreditedImage):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique_for_date="published_at",
        blank=True,
        help_text="The last part of the address; made from the title when left empty.",
    )
    author = models.ForeignKey(AuthorProfile, on_delete=models.PROTECT, related_name="posts")
    body = models.TextField(
        help_text="Markdown. Put a figure in the text with a line reading [[figure 1]]; figures "
        "not placed appear after the text."
    )
    body_html = models.TextField(editable=False, blank=True)
    excerpt = models.TextField(
        blank=True,
        help_text="A sentence or two for lists and feeds. Left empty, the start of the post is "
        "used.",
    )
    stretch = models.ForeignKey(
        Stretch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        help_text="A stretch whose demo video is shown in the post.",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        "publication date",
        default=timezone.now,
        db_index=True,
        help_text="A time in the future schedules the post: it appears by itself then.",
    )
    categories = models.ManyToManyField(Category, blank=True, related_name="posts")
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    comments_open = models.BooleanField(
        default=True,
        help_text="Readers may comment (until BLOG_COMMENTS_CLOSE_AFTER_DAYS, when that is set).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        verbose_name = "post"
        verbose_name_plural = "posts"
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unique_slug_for_date()
        self.body_html = markdown_to_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        day = timezone.localdate(self.published_at)
        return reverse(
            "blog:post_detail",
            kwargs={"year": day.year, "month": day.month, "day": day.day, "slug": self.slug},
        )

    def unique_slug_for_date(self) -> str:
        """A slug from the title that no other post published the same day uses."""
        base = slugify(self.title)[:190].strip("-") or "post"
        day = timezone.localdate(self.published_at)
        same_day = Post.objects.exclude(pk=self.pk).on_date(day.year, day.month, day.day)
        slug, n = base, 2
        while same_day.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def get_comments_feed_url(self) -> str:
        return self.get_absolute_url() + "feed/"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    @property
    def comments_close_at(self) -> datetime | None:
        days = settings.BLOG_COMMENTS_CLOSE_AFTER_DAYS
        return self.published_at + timedelta(days=days) if days else None

    @property
    def accepts_comments(self) -> bool:
        """Whether a reader may comment now: open, published, and not past the closing age."""
        close_at = self.comments_close_at
        return (
            self.comments_open
            and self.is_published
            and (close_at is None or timezone.now() < close_at)
        )

    @property
    def summary(self) -> str:
        """The excerpt, or the first words of the post as plain text."""
        if self.excerpt.strip():
            return self.excerpt.strip()
        text = html.unescape(strip_tags(FIGURE_PLACEHOLDER.sub(" ", self.body_html)))
        return Truncator(" ".join(text.split())).words(EXCERPT_WORDS, truncate="…")

    def previous_post(self):
        try:
            return self.get_previous_by_published_at(
                status=self.Status.PUBLISHED, published_at__lte=timezone.now()
            )
        except Post.DoesNotExist:
            return None

    def next_post(self):
        try:
            return self.get_next_by_published_at(
                status=self.Status.PUBLISHED, published_at__lte=timezone.now()
            )
        except Post.DoesNotExist:
            return None


class Figure(CreditedImage):
    """An illustration inside a post, placed in the text by its number."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="figures")
    number = models.PositiveSmallIntegerField(
        default=1, help_text="Place it in the text with a line reading [[figure 1]]."
    )

    class Meta:
        ordering = ["number", "pk"]
        verbose_name = "figure"
        verbose_name_plural = "figures"
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="blog_figure_unique_number")
        ]

    def __str__(self) -> str:
        return f"Figure {self.number}: {self.image_caption or self.image_alt or self.post}"


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def thread(self, *, own_pks=()):
        """The comments a visitor sees under a post, oldest first, in one query.

        Approved comments, plus those of `own_pks` (the visitor's own, from their session) that
        still await moderation. Only public columns are loaded: email, IP address and user agent
        never reach a template.
        """
        visible = Q(status=Comment.Status.APPROVED)
        if own_pks:
            visible |= Q(pk__in=list(own_pks), status__in=Comment.AWAITING_STATUSES)
        return self.filter(visible).only(*Comment.PUBLIC_FIELDS).order_by("created_at", "pk")


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    # What the commenter is told is "awaiting moderation": spam is not announced as such, so a
    # spammer learns nothing, and a person caught by mistake can still be approved.
    AWAITING_STATUSES = (Status.PENDING, Status.SPAM)
    # The columns a public page, feed or template may load; email, IP and user agent are not.
    PUBLIC_FIELDS = (
        "pk",
        "post_id",
        "parent_id",
        "depth",
        "name",
        "website",
        "body_html",
        "status",
        "created_at",
    )

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="0 for a comment, 1 for a reply to it, and so on."
    )
    name = models.CharField(max_length=100)
    email = models.EmailField(help_text="Never shown publicly.")
    website = models.URLField(blank=True, validators=[web_url_validator])
    body = models.TextField("comment")
    body_html = models.TextField(editable=False, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "comment"
        verbose_name_plural = "comments"
        indexes = [
            models.Index(fields=["post", "status", "created_at"]),
            models.Index(fields=["email", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.post_id}: {Truncator(self.body).chars(40)}"

    def save(self, *args, **kwargs):
        self.depth = self.parent.depth + 1 if self.parent_id else 0
        self.body_html = comment_to_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def can_have_replies(self) -> bool:
        """Whether a reply to this comment stays within BLOG_COMMENT_MAX_DEPTH levels."""
        return self.is_approved and self.depth + 1 < settings.BLOG_COMMENT_MAX_DEPTH


def comment_tree(comments) -> list[Comment]:
    """Arrange comments (oldest first) into threads: each gets `.children` and `.level`.

    A reply whose parent is not shown (still pending, or removed) joins the top level rather
    than disappear with it.
    """
    comments = list(comments)
    by_pk = {comment.pk: comment for comment in comments}
    roots = []
    for comment in comments:
        comment.children = []
    for comment in comments:
        parent = by_pk.get(comment.parent_id)
        if parent is None:
            comment.level = 0
            roots.append(comment)
        else:
            parent.children.append(comment)
    # Parents come before their replies (oldest first), so levels can be set in one pass.
    stack = list(reversed(roots))
    while stack:
        comment = stack.pop()
        for child in comment.children:
            child.level = comment.level + 1
        stack.extend(reversed(comment.children))
    return roots
