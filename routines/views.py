"""Pages of the stretch library and the routines."""

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import DetailView, ListView
from django.views.generic.detail import BaseDetailView

from .addresses import client_ip
from .caching import CachedPageMixin
from .forms import StretchFilterForm
from .models import (
    SMALL_VIDEO_MEDIA,
    TIGHTNESS_MAX,
    Routine,
    RoutineStep,
    Stretch,
    chapters_version,
)
from .plan import media_sizes, routine_plan
from .sharing import ShareRefused, shared_session_submit


def published_stretches():
    return (
        Stretch.objects.published()
        .select_related("video")
        .prefetch_related("body_areas")
        .order_by("title")
    )


def routine_steps():
    """Steps with everything a step row shows, in two queries however long the routine."""
    return Prefetch(
        "steps",
        queryset=RoutineStep.objects.select_related(
            "stretch", "stretch__video", "breathing_pattern"
        ),
    )


class StretchListView(CachedPageMixin, ListView):
    template_name = "routines/stretch_list.html"
    context_object_name = "stretches"
    paginate_by = 24

    def get_queryset(self):
        self.form = StretchFilterForm(self.request.GET or None)
        return self.form.filter(published_stretches())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        return context


class StretchDetailView(CachedPageMixin, DetailView):
    template_name = "routines/stretch_detail.html"
    context_object_name = "stretch"

    def get_queryset(self):
        return published_stretches()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["routines"] = (
            Routine.objects.published()
            # A subquery, not a join: filtering across the steps join would make
            # with_duration() sum only this stretch's steps.
            .filter(pk__in=RoutineStep.objects.filter(stretch=self.object).values("routine"))
            .with_duration()
        )
        return context


class StretchChaptersView(CachedPageMixin, BaseDetailView):
    """The WebVTT chapters track of a stretch's video: one chapter per timed cue.

    Stored like a page, so a change to the cues or the video (which changes the content
    version) replaces it. The stretch page links it with ?v= naming its content; that
    address may be kept by browsers for good, any other is checked again on each use.
    """

    page_holes = ()
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return published_stretches()

    def render_to_response(self, context):
        vtt = self.object.chapters_vtt()
        if not vtt:
            raise Http404("This stretch has no timed cues on a ready video.")
        is_named_for_content = self.request.GET.get("v") == chapters_version(vtt)
        return HttpResponse(
            vtt,
            content_type="text/vtt; charset=utf-8",
            headers={
                "Cache-Control": "public, max-age=31536000, immutable"
                if is_named_for_content
                else "no-cache"
            },
        )


class RoutineListView(CachedPageMixin, ListView):
    template_name = "routines/routine_list.html"
    context_object_name = "routines"

    def get_queryset(self):
        return (
            Routine.objects.published()
            .with_duration()
            .select_related("breathing_pattern")
            .prefetch_related(
                Prefetch("steps", queryset=RoutineStep.objects.select_related("stretch__video"))
            )
        )


class PublishedRoutineMixin:
    """A published routine with its steps, for the routine page and its session."""

    context_object_name = "routine"

    def get_queryset(self):
        return (
            Routine.objects.published()
            .select_related("breathing_pattern")
            .prefetch_related(routine_steps())
        )


class RoutineDetailView(CachedPageMixin, PublishedRoutineMixin, DetailView):
    template_name = "routines/routine_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        large, small = media_sizes(self.object)
        context["offline_size_bytes"], context["offline_small_size_bytes"] = large, small
        # Asked only when the choice matters: rows made before there were two sizes have one.
        context["offline_size_choice"] = small < large
        context["small_video_media"] = SMALL_VIDEO_MEDIA
        return context


class RoutineSessionView(CachedPageMixin, PublishedRoutineMixin, DetailView):
    template_name = "routines/routine_session.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plan"] = routine_plan(self.object)
        context["tightness_scale"] = range(TIGHTNESS_MAX + 1)
        return context


@require_POST
def session_share(request: HttpRequest) -> JsonResponse:
    """Keep a session the visitor chose to share with the teacher (JSON, sent by the player).

    It answers in JSON, sets no cookie and never touches the session: the record must not
    be tied to anyone.
    """
    try:
        shared_session_submit(
            body=request.body, content_type=request.content_type, ip=client_ip(request)
        )
    except ShareRefused as refused:
        return JsonResponse({"error": str(refused)}, status=refused.status)
    return JsonResponse({"shared": True}, status=201)


SERVICE_WORKER = "js/service-worker.js"


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """The offline service worker, served from the root so its scope covers every page.

    A worker's scope cannot reach above the folder it is served from, and
    /static/ would not cover the session pages. Browsers check it for updates
    on navigation, so it is never cached for long.
    """
    path = finders.find(SERVICE_WORKER)
    if path:
        with open(path, "rb") as file:
            content = file.read()
    elif staticfiles_storage.exists(SERVICE_WORKER):
        with staticfiles_storage.open(SERVICE_WORKER) as file:
            content = file.read()
    else:
        raise Http404("No service worker.")
    return HttpResponse(
        content,
        content_type="text/javascript; charset=utf-8",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )
