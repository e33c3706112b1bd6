from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.views import login as accounts_login

admin.site.site_header = _("地域振興室ポータル 管理")
admin.site.site_title = _("地域振興室ポータル 管理")
admin.site.index_title = _("管理メニュー")

urlpatterns = [
    path("", include("portal.urls")),
    path("", include("municipalities.urls")),
    path("", include("organizations.urls")),
    path("seminars/", include("seminars.urls")),
    path("summits/", include("summits.urls")),
    path("accounts/", include("accounts.urls")),
    path("manage/", include("organizations.urls_manage")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The portal's two-step login (password, then the authenticator code when enrolled), rate
    # limited per client address; listed first so that it answers the admin:login URL. The
    # lockout after failed passwords is django-axes' (settings.py).
    path("admin/login/", accounts_login),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

