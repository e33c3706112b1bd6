from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.logout, name="logout"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    # The token after /r/: portal.logging redacts that segment from every log line.
    path("password-reset/<str:uidb64>/r/<str:token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("", views.account, name="account"),
    path("logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/new/", views.invitation_create, name="invitation_create"),
    path("invitations/<str:uidb64>/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
