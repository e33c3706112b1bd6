"""Mounted at the site root (``path("", include("organizations.urls"))``): the directory lives
under /organizations/ and its statistics at /stats/, both in the ``organizations`` namespace."""

from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/export.csv", views.export_csv, name="export_csv"),
    path("organizations/export.json", views.export_json, name="export_json"),
    path("stats/", views.stats, name="stats"),
]
