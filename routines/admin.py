"""Admin for the teacher: stretches, routines with ordered steps, breathing patterns, videos."""

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from .models import BodyArea, BreathingPattern, Routine, RoutineStep, Stretch, Video
from .templatetags.routines_tags import clock, duration
from .video import video_ingest


@admin.register(BreathingPattern)
class BreathingPatternAdmin(admin.ModelAdmin):
    list_display = ["name", "rhythm", "cycle_seconds", "description"]
    search_fields = ["name"]


@admin.register(BodyArea)
class BodyAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ["title", "poster_thumbnail", "status", "length", "dimensions", "size"]
    list_filter = ["status"]
    search_fields = ["title", "original_name"]
    readonly_fields = [
        "status",
        "error_message",
        "original_name",
        "length",
        "dimensions",
        "video_codec",
        "audio_codec",
        "size",
        "poster_preview",
    ]
    fields = [
        "title",
        "original",
        "poster",
        "captions",
        "poster_preview",
        "status",
        "error_message",
        "original_name",
        "length",
        "dimensions",
        "video_codec",
        "audio_codec",
        "size",
    ]

    @admin.display(description="Poster")
    def poster_thumbnail(self, video):
        if not video.poster:
            return "—"
        return format_html('<img src="{}" alt="" width="96" height="54">', video.poster.url)

    @admin.display(description="Poster preview")
    def poster_preview(self, video):
        if not video.poster:
            return "Made from the video once it is read."
        return format_html('<img src="{}" alt="" width="320">', video.poster.url)

    @admin.display(description="Duration", ordering="duration_seconds")
    def length(self, video):
        return clock(video.duration_seconds) if video.duration_seconds else "—"

    @admin.display(description="Size")
    def dimensions(self, video):
        return f"{video.width}×{video.height}" if video.width else "—"

    @admin.display(description="File size", ordering="size_bytes")
    def size(self, video):
        return filesizeformat(video.size_bytes) if video.size_bytes else "—"

    def save_model(self, request, obj, form, change):
        if "original" in form.changed_data and obj.original:
            obj.original_name = getattr(form.cleaned_data["original"], "name", "")[:255]
            obj.playable = ""
        super().save_model(request, obj, form, change)
        if "original" in form.changed_data:
            video_ingest(obj)


class RoutineStepInline(admin.TabularInline):
    model = RoutineStep
    extra = 1
    autocomplete_fields = ["stretch"]
    fields = [
        "order",
        "stretch",
        "hold_seconds",
        "repetitions",
        "rest_after_seconds",
        "breathing_pattern",
        "note",
    ]


@admin.register(Stretch)
class StretchAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "sides", "hold", "is_published", "has_ready_video"]
    list_filter = ["is_published", "level", "sides", "body_areas"]
    list_editable = ["is_published"]
    search_fields = ["title", "summary", "cues"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["body_areas"]
    autocomplete_fields = ["video"]
    list_select_related = ["video"]

    @admin.display(description="Hold", ordering="hold_seconds")
    def hold(self, stretch):
        return duration(stretch.hold_seconds)

    @admin.display(description="Video ready", boolean=True)
    def has_ready_video(self, stretch):
        return bool(stretch.video and stretch.video.is_ready)


@admin.register(Routine)
class RoutineAdmin(admin.ModelAdmin):
    list_display = ["title", "total_time", "steps_count", "breathing_pattern", "is_published"]
    list_filter = ["is_published"]
    list_editable = ["is_published"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [RoutineStepInline]
    readonly_fields = ["total_time"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_duration().select_related("breathing_pattern")

    @admin.display(description="Total time", ordering="total_seconds")
    def total_time(self, routine):
        if routine.pk is None:
            return "Worked out from the steps once saved."
        return duration(routine.duration_seconds)

    @admin.display(description="Steps", ordering="step_count")
    def steps_count(self, routine):
        return routine.step_count
