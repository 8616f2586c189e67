"""Admin for the teacher: stretches, routines with ordered steps, breathing patterns, videos,
and what visitors shared about their sessions (the practice insights page)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from .cues import parse_cues
from .forms import InsightsPeriodForm, StretchAdminForm, VideoAdminForm
from .insights import routine_insights
from .models import (
    BodyArea,
    BreathingPattern,
    Routine,
    RoutineStep,
    SharedSession,
    Stretch,
    Video,
)
from .services import video_save
from .tasks import video_enqueue
from .templatetags.routines_tags import clock, duration


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
    form = VideoAdminForm
    list_display = ["title", "thumbnail_image", "status_label", "length", "dimensions", "size"]
    list_filter = ["status"]
    search_fields = ["title", "original_name"]
    actions = ["reprocess"]
    upload_fieldset = (None, {"fields": ["title", "original", "poster", "captions"]})
    fieldsets = [
        upload_fieldset,
        ("Playback", {"fields": ["player"]}),
        (
            "Processing",
            {
                "fields": [
                    "status_label",
                    "error_message",
                    "attempts",
                    "processing_started_at",
                    "processing_finished_at",
                    "heartbeat_at",
                ]
            },
        ),
        (
            "What the file holds",
            {
                "fields": [
                    "original_name",
                    "length",
                    "dimensions",
                    "frame_rate_label",
                    "codecs",
                    "bit_rate_label",
                    "size",
                    "playable_summary",
                ]
            },
        ),
    ]

    # Everything after the upload fields is reported by processing, never typed.
    readonly_fields = [name for _, options in fieldsets[1:] for name in options["fields"]]

    def get_fieldsets(self, request, obj=None):
        # There is nothing to play or report before the first upload.
        return self.fieldsets if obj is not None else [self.upload_fieldset]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"videos_in_progress": Video.objects.in_progress().exists()}
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        # upload-progress.js sends the form with XMLHttpRequest, which would follow a redirect
        # and use up the "saved" message on the way; it is told where to go instead.
        if (
            request.method == "POST"
            and request.headers.get("X-Upload-Progress") == "1"
            and isinstance(response, HttpResponseRedirect)
        ):
            return JsonResponse({"location": response["Location"]})
        return response

    def save_model(self, request, obj, form, change):
        video_save(video=obj, changed_fields=form.changed_data, probe=form.probe)
        if "original" in form.changed_data:
            video_enqueue(video=obj, reset_attempts=True)

    @admin.action(description="Reprocess the selected videos")
    def reprocess(self, request, queryset):
        videos = list(queryset)
        with transaction.atomic():
            for video in videos:
                video_enqueue(video=video, reset_attempts=True)
        self.message_user(
            request,
            ngettext(
                "%d video queued for processing.", "%d videos queued for processing.", len(videos)
            )
            % len(videos),
            messages.SUCCESS,
        )

    @admin.display(description="Poster")
    def thumbnail_image(self, video):
        if not video.thumbnail_url:
            return "—"
        return format_html(
            '<img class="video-thumbnail" src="{}" alt="" loading="lazy">', video.thumbnail_url
        )

    @admin.display(description="Status", ordering="status")
    def status_label(self, video):
        text = video.get_status_display()
        if video.status == Video.Status.PROCESSING:
            text = f"{text}: {video.progress_percent} %"
        return format_html(
            '<span class="video-status video-status--{}">{}</span>', video.status, text
        )

    @admin.display(description="Video")
    def player(self, video):
        if video.is_ready:
            return render_to_string("routines/_video.html", {"video": video, "title": video.title})
        if video.status == Video.Status.FAILED:
            text = "This video could not be prepared; the reason is below."
        elif video.status == Video.Status.PROCESSING:
            text = (
                f"Being prepared for browsers ({video.progress_percent} % done). "
                "Reload this page to see how it is going."
            )
        else:
            text = "Waiting for the background worker to prepare it for browsers."
        return format_html('<p class="video-player-note">{}</p>', text)

    @admin.display(description="Duration", ordering="duration_seconds")
    def length(self, video):
        return clock(video.duration_seconds) if video.duration_seconds else "—"

    @admin.display(description="Size")
    def dimensions(self, video):
        return f"{video.width}×{video.height}" if video.width else "—"

    @admin.display(description="Frame rate")
    def frame_rate_label(self, video):
        return f"{video.frame_rate:g} fps" if video.frame_rate else "—"

    @admin.display(description="Codecs")
    def codecs(self, video):
        if not video.video_codec:
            return "—"
        return f"{video.video_codec} / {video.audio_codec or 'no sound'}"

    @admin.display(description="Bit rate")
    def bit_rate_label(self, video):
        if not video.bits_per_second:
            return "—"
        return f"{video.bits_per_second / 1_000_000:.1f} Mbit/s"

    @admin.display(description="File size", ordering="size_bytes")
    def size(self, video):
        return filesizeformat(video.size_bytes) if video.size_bytes else "—"

    @admin.display(description="Played as")
    def playable_summary(self, video):
        if not video.is_ready or not video.playable_width:
            return "—"
        renditions = [
            (
                "Default (up to 720p)",
                video.playable_width,
                video.playable_height,
                video.playable_size_bytes,
            ),
            (
                "Small (up to 360p: phones, saved for offline)",
                video.playable_small_width,
                video.playable_small_height,
                video.playable_small_size_bytes,
            ),
        ]
        return format_html_join(
            "",
            '<p class="video-rendition">{}: {}</p>',
            (
                (label, _rendition_summary(width, height, size_bytes))
                for label, width, height, size_bytes in renditions
            ),
        )


def _rendition_summary(width: int | None, height: int | None, size_bytes: int | None) -> str:
    if not width:
        return "not made yet; choose “Reprocess” to make it"
    return f"H.264/AAC MP4, {width}×{height}, {filesizeformat(size_bytes)}"


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
    form = StretchAdminForm
    list_display = ["title", "level", "sides", "hold", "is_published", "has_ready_video"]
    list_filter = ["is_published", "level", "sides", "body_areas"]
    list_editable = ["is_published"]
    search_fields = ["title", "summary", "cues"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["body_areas"]
    autocomplete_fields = ["video"]
    list_select_related = ["video"]
    readonly_fields = ["cue_timing"]

    @admin.display(description="Hold", ordering="hold_seconds")
    def hold(self, stretch):
        return duration(stretch.hold_seconds)

    @admin.display(description="Video ready", boolean=True)
    def has_ready_video(self, stretch):
        return bool(stretch.video and stretch.video.is_ready)

    @admin.display(description="Cues on the video")
    def cue_timing(self, stretch):
        """What the timed cues do now: the video may have changed since they were written."""
        written = sum(cue.start_seconds is not None for cue in parse_cues(stretch.cues))
        if not written:
            return "No cue has a time."
        on_video = sum(cue.start_seconds is not None for cue in stretch.cue_items)
        if not stretch.video or not stretch.video.is_ready:
            return f"{written} timed cues; they follow the video once it is ready."
        if on_video < written:
            return (
                f"{written - on_video} of {written} cue times are past the end of the video "
                f"({clock(stretch.video.duration_seconds)}) and are left out. Save the stretch "
                "to see which."
            )
        return f"{on_video} timed cues follow the video."


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


@admin.register(SharedSession)
class SharedSessionAdmin(admin.ModelAdmin):
    """Sessions visitors shared, as they came (read only), and the practice insights page."""

    list_display = [
        "shared_on",
        "routine",
        "is_gentle",
        "is_completed",
        "ended_at_step",
        "tightness_before",
        "tightness_after",
        "feeling",
    ]
    list_filter = ["routine", "is_completed", "is_gentle", "feeling"]
    date_hierarchy = "shared_on"

    def has_add_permission(self, request):
        return False  # only visitors share sessions

    def has_change_permission(self, request, obj=None):
        return False  # what a visitor said is not edited; a junk row may be deleted

    def get_urls(self):
        insights = self.admin_site.admin_view(self.insights_view)
        return [
            path("insights/", insights, name="routines_sharedsession_insights"),
            *super().get_urls(),
        ]

    def insights_view(self, request):
        """Per routine over a period: completion, where people stop, tightness, feelings."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        form = InsightsPeriodForm(request.GET or None)
        period = form.period(today)
        presets = []
        for label, days in InsightsPeriodForm.PRESETS:
            start, end = InsightsPeriodForm.last_days(days, today)
            presets.append(
                {
                    "label": label,
                    "query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
                    "is_current": period == (start, end),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Practice insights",
            "opts": self.opts,
            "form": form,
            "period": period,
            "presets": presets,
            "insights": routine_insights(*period) if period else [],
            "worse_share_limit": settings.PSOASAPP_INSIGHTS_WORSE_SHARE,
            "min_sessions": settings.PSOASAPP_INSIGHTS_MIN_SESSIONS,
        }
        return TemplateResponse(request, "admin/routines/sharedsession/insights.html", context)
