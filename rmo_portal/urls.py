from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.views import login as accounts_login
from portal.views import admin_view_on_site

admin.site.site_header = _("地域振興室ポータル 管理")
admin.site.site_title = _("地域振興室ポータル 管理")
admin.site.index_title = _("管理メニュー")

urlpatterns = [
    # The portal's two-step login (password, then the authenticator code when enrolled), rate
    # limited per client address; listed first so that it answers the admin:login URL. The
    # lockout after failed passwords is django-axes' (settings.py).
    path("admin/login/", accounts_login),
    # Before the admin's own "view on site": refuses the rows whose public page is a personal link.
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin.site.admin_view(admin_view_on_site)),
    path("admin/", admin.site.urls),
]

# The language is part of the address: Japanese pages keep their unprefixed paths (printed on
# flyers as QR codes, so they never change) and the English ones live under /en/. A page is
# then the same for every reader of one URL, which lets the page cache (portal/pagecache.py)
# and any HTTP cache serve it, a shared link opens in the language it was shared in, and the
# language switcher is a plain link instead of a POST form with a CSRF token on every page.
urlpatterns += i18n_patterns(
    path("", include("portal.urls")),
    path("", include("municipalities.urls")),
    path("", include("organizations.urls")),
    path("seminars/", include("seminars.urls")),
    path("summits/", include("summits.urls")),
    path("accounts/", include("accounts.urls")),
    path("manage/", include("organizations.urls_manage")),
    prefix_default_language=False,
)

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
