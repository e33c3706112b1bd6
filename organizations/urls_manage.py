"""Mounted at /manage/ (``path("manage/", include("organizations.urls_manage"))``), namespace ``manage``."""

from django.urls import path

from . import views_manage as views

app_name = "manage"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/history/", views.organization_history, name="organization_history"),
    path(
        "organizations/<int:pk>/history/<int:history_id>/restore/",
        views.organization_restore,
        name="organization_restore",
    ),
    path("revisions/<int:pk>/", views.revision_detail, name="revision_detail"),
    path("revisions/<int:pk>/edit/", views.revision_edit, name="revision_edit"),
    path("revisions/<int:pk>/submit/", views.revision_submit, name="revision_submit"),
    path("revisions/<int:pk>/revise/", views.revision_revise, name="revision_revise"),
    path("revisions/<int:pk>/approve/", views.revision_approve, name="revision_approve"),
    path("revisions/<int:pk>/return/", views.revision_return, name="revision_return"),
    path("review/", views.review_queue, name="review_queue"),
]
