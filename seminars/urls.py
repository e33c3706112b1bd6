"""Public paths are printed on flyers as QR codes: never change them."""

from django.urls import path

from . import views

app_name = "seminars"

urlpatterns = [
    path("", views.seminar_list, name="seminar_list"),
    path("r/<str:token>/", views.registration_detail, name="registration_detail"),
    path("r/<str:token>/calendar.ics", views.registration_calendar, name="registration_calendar"),
    path("r/<str:token>/uketsukehyo/", views.registration_ticket, name="registration_ticket"),
    path("r/<str:token>/uketsukehyo.png", views.registration_ticket_png, name="registration_ticket_png"),
    path("checkin/<str:token>/", views.checkin_registration, name="checkin_registration"),
    path("resend/", views.registration_resend, name="registration_resend"),
    path("<slug:slug>/", views.seminar_detail, name="seminar_detail"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/qr.svg", views.seminar_qr_svg, name="seminar_qr_svg"),
    path("<slug:slug>/qr.png", views.seminar_qr_png, name="seminar_qr_png"),
    path("<slug:slug>/flyer/", views.seminar_flyer, name="seminar_flyer"),
    path("<slug:slug>/checkin/", views.checkin, name="checkin"),
    path("<slug:slug>/checkin/counts.json", views.checkin_counts, name="checkin_counts"),
]
