from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/files/", views.privacy_files, name="privacy_files"),
    path("privacy/requests/", views.privacy_requests, name="privacy_requests"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("accessibility/results/", views.accessibility_test_results, name="accessibility_results"),
    path("healthz", views.healthz, name="healthz"),
]
