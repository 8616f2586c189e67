from django.urls import path

from . import views

app_name = "routines"

urlpatterns = [
    path("stretches/", views.StretchListView.as_view(), name="stretch_list"),
    path("stretches/<slug:slug>/", views.StretchDetailView.as_view(), name="stretch_detail"),
    path(
        "stretches/<slug:slug>/chapters.vtt",
        views.StretchChaptersView.as_view(),
        name="stretch_chapters",
    ),
    path("routines/", views.RoutineListView.as_view(), name="routine_list"),
    path("routines/<slug:slug>/", views.RoutineDetailView.as_view(), name="routine_detail"),
    path(
        "routines/<slug:slug>/session/", views.RoutineSessionView.as_view(), name="routine_session"
    ),
    path("sessions/shared/", views.session_share, name="session_share"),
    path("sw.js", views.service_worker, name="service_worker"),
]
