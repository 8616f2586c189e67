"""Pages of the stretch library and the routines."""

from django.db.models import Prefetch
from django.views.generic import DetailView, ListView, TemplateView

from .forms import StretchFilterForm
from .models import Routine, RoutineStep, Stretch


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


class HomeView(TemplateView):
    template_name = "routines/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["routines"] = (
            Routine.objects.published().with_duration().select_related("breathing_pattern")
        )
        context["stretches"] = published_stretches()[:6]
        return context


class StretchListView(ListView):
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


class StretchDetailView(DetailView):
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


class RoutineListView(ListView):
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


class RoutineDetailView(DetailView):
    template_name = "routines/routine_detail.html"
    context_object_name = "routine"

    def get_queryset(self):
        return (
            Routine.objects.published()
            .select_related("breathing_pattern")
            .prefetch_related(routine_steps())
        )


class RoutineSessionView(RoutineDetailView):
    template_name = "routines/routine_session.html"
