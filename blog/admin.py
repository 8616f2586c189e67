"""Admin for the teacher: posts with figures, categories, tags, author profiles, moderation."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from routines.caching import content_changed

from .forms import ImageUploadField
from .models import AuthorProfile, Category, Comment, Figure, Post, Tag

IMAGE_FIELDS = ["image", "image_alt", "image_caption", "image_credit", "image_credit_url"]
IMAGE_UPLOADS = {models.ImageField: {"form_class": ImageUploadField}}


def thumbnail(renditions, *, width: int = 96):
    if not renditions:
        return "—"
    image = renditions.smallest
    height = round(width * image.height / image.width)
    return format_html('<img src="{}" alt="" width="{}" height="{}">', image.url, width, height)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "post_count"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_post_count=Count("posts"))

    @admin.display(description="Posts", ordering="_post_count")
    def post_count(self, category):
        return category._post_count


@admin.register(Tag)
class TagAdmin(CategoryAdmin):
    list_display = ["name", "slug", "post_count"]


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    formfield_overrides = IMAGE_UPLOADS
    list_display = ["name", "avatar_thumbnail", "user"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "bio"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]

    @admin.display(description="Avatar")
    def avatar_thumbnail(self, profile):
        return thumbnail(profile.avatar_images, width=48)


class FigureInline(admin.StackedInline):
    formfield_overrides = IMAGE_UPLOADS
    model = Figure
    extra = 0
    fields = ["number", *IMAGE_FIELDS]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    formfield_overrides = IMAGE_UPLOADS
    list_display = ["title", "state", "published_at", "author", "approved_comments", "pending"]
    list_filter = ["status", "categories", "tags", "author"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["categories", "tags"]
    autocomplete_fields = ["author", "stretch"]
    list_select_related = ["author"]
    inlines = [FigureInline]
    readonly_fields = ["featured_preview"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "author", "body", "excerpt"]}),
        ("Publishing", {"fields": ["status", "published_at", "comments_open"]}),
        ("Featured image", {"fields": [*IMAGE_FIELDS, "featured_preview"]}),
        ("Stretch video", {"fields": ["stretch"]}),
        ("Categories and tags", {"fields": ["categories", "tags"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _approved=Count("comments", filter=Q(comments__status=Comment.Status.APPROVED)),
                _pending=Count("comments", filter=Q(comments__status=Comment.Status.PENDING)),
            )
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        profile = AuthorProfile.objects.filter(user=request.user).first()
        if profile is not None:
            initial.setdefault("author", profile.pk)
        return initial

    @admin.display(description="State", ordering="status")
    def state(self, post):
        if post.is_scheduled:
            return "Scheduled"
        return post.get_status_display()

    @admin.display(description="Comments", ordering="_approved")
    def approved_comments(self, post):
        return post._approved

    @admin.display(description="Pending", ordering="_pending")
    def pending(self, post):
        return post._pending or ""

    @admin.display(description="Preview")
    def featured_preview(self, post):
        return thumbnail(post.images, width=320)


class StatusFilter(admin.SimpleListFilter):
    """Comments by status, each with its count, so the pending pile is always in sight."""

    title = "status"
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        counts = dict(
            Comment.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
        )
        return [
            (value, f"{label} ({counts.get(value, 0)})") for value, label in Comment.Status.choices
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["short_body", "name", "post", "status", "created_at", "ip_address"]
    list_filter = [StatusFilter, "created_at"]
    list_select_related = ["post"]
    search_fields = ["name", "email", "body", "ip_address"]
    date_hierarchy = "created_at"
    actions = ["approve", "mark_spam", "remove"]
    autocomplete_fields = ["post"]
    raw_id_fields = ["parent"]
    readonly_fields = ["depth", "created_at", "ip_address", "user_agent", "public_body"]
    fields = [
        "post",
        "parent",
        "depth",
        "status",
        "name",
        "email",
        "website",
        "body",
        "public_body",
        "created_at",
        "ip_address",
        "user_agent",
    ]

    def changelist_view(self, request, extra_context=None):
        pending = Comment.objects.pending().count()
        subtitle = f"{pending} pending" if pending else "Nothing awaits moderation"
        return super().changelist_view(request, {"subtitle": subtitle, **(extra_context or {})})

    @admin.display(description="Comment")
    def short_body(self, comment):
        return Truncator(comment.body).chars(80)

    @admin.display(description="As shown")
    def public_body(self, comment):
        # body_html is escaped and sanitised by nh3 when the comment is saved.
        return mark_safe(comment.body_html) if comment.body_html else "—"  # noqa: S308

    def _set_status(self, request, queryset, status: str, verb: str):
        changed = queryset.exclude(status=status).update(status=status)
        content_changed()  # an update sends no save signals
        self.message_user(
            request, f"{changed} comment{'s' if changed != 1 else ''} {verb}.", messages.SUCCESS
        )

    @admin.action(description="Approve the selected comments")
    def approve(self, request, queryset):
        self._set_status(request, queryset, Comment.Status.APPROVED, "approved")

    @admin.action(description="Mark the selected comments as spam")
    def mark_spam(self, request, queryset):
        self._set_status(request, queryset, Comment.Status.SPAM, "marked as spam")

    @admin.action(description="Remove the selected comments from the site")
    def remove(self, request, queryset):
        self._set_status(request, queryset, Comment.Status.REMOVED, "removed")
