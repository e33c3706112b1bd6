from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(next_page="portal:home"), name="logout"),
    path("", views.account, name="account"),
    path("logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/new/", views.invitation_create, name="invitation_create"),
    path("invitations/<str:uidb64>/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
