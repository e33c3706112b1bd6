"""Mounted at the site root (``path("", include("organizations.urls"))``): the directory lives
under /organizations/ and its statistics at /stats/, both in the ``organizations`` namespace."""

from django.urls import path, re_path

from . import views

app_name = "organizations"

urlpatterns = [
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/export.csv", views.export_csv, name="export_csv"),
    path("organizations/export.json", views.export_json, name="export_json"),
    path("organizations/open-data/", views.open_data, name="open_data"),
    path("organizations/open-data/README.txt", views.open_data_readme, name="open_data_readme"),
    re_path(
        r"^organizations/snapshots/rmo_organizations_(?P<day>\d{4}-\d{2}-\d{2})\.(?P<extension>csv|json)$",
        views.snapshot,
        name="snapshot",
    ),
    path("stats/", views.stats, name="stats"),
]
