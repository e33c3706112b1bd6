from django.urls import path

from . import views

app_name = "summits"

urlpatterns = [
    path("", views.summit_list, name="summit_list"),
    path("a/<str:token>/", views.application_detail, name="application_detail"),
    path("a/<str:token>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("<slug:slug>/", views.summit_detail, name="summit_detail"),
    path("<slug:slug>/tracks/<int:number>/", views.track_detail, name="track_detail"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/calendar.ics", views.summit_ics, name="summit_calendar"),
    path("<slug:slug>/sessions/<int:pk>/calendar.ics", views.session_ics, name="session_calendar"),
    path("<slug:slug>/staff/", views.staff_overview, name="staff_overview"),
    path("<slug:slug>/staff/delegates.<str:fmt>", views.staff_export, name="staff_export"),
    path("<slug:slug>/staff/name-cards/", views.staff_name_cards, name="staff_name_cards"),
]
