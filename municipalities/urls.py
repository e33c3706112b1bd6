from django.urls import path

from . import views

app_name = "municipalities"

urlpatterns = [
    path("municipalities/<str:code>/", views.municipality_detail, name="municipality_detail"),
    path("prefectures/<str:code>/", views.prefecture_detail, name="prefecture_detail"),
]
