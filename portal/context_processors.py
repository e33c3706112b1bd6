from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, get_language_info, override
from django.utils.translation import gettext_lazy as _

# The main navigation; the descriptions are shown on the home page's cards.
NAV_ITEMS = (
    (
        "organizations:organization_list",
        _("地域運営組織を探す"),
        _("全国の地域運営組織を、地域や活動内容から探せます。"),
    ),
    ("seminars:seminar_list", _("セミナー"), _("地域運営組織 全国セミナーの日程とお申込み。")),
    ("summits:summit_list", _("全国市町村長サミット"), _("全国の市町村長が集い、議論・交流するサミットの案内。")),
    ("organizations:stats", _("統計"), _("地域運営組織の形成数などの調査結果。")),
    ("portal:about", _("施策について"), _("総務省 地域振興室の事業と予算。")),
)


def _nav(path: str) -> list[dict]:
    items = []
    for name, label, description in NAV_ITEMS:
        url = reverse(name)
        if path == url:
            current = "page"
        elif path.startswith(url):
            current = "true"
        else:
            current = ""
        items.append({"url": url, "label": label, "description": description, "current": current})
    return items


def _language_links(request: HttpRequest) -> list[dict]:
    """This page in each language (the language is the URL's prefix: rmo_portal/urls.py).

    A path that no view answers (a 404 page) cannot be translated: its link is that
    language's home page instead. The path is what the reader's browser sent, so one that a
    browser would read as another site (``//evil.example/x``, ``/\\evil.example``) is never
    written back as a link.
    """
    current = get_language()
    here = request.get_full_path()
    on_this_site = here.startswith("/") and url_has_allowed_host_and_scheme(here, allowed_hosts=None)
    links = []
    for code, _name in settings.LANGUAGES:
        url = here if code == current else translate_url(here, code)
        same_page = on_this_site and (code == current or url != here)
        if not same_page:
            with override(code):
                url = reverse("portal:home")
        links.append(
            {
                "code": code,
                "name_local": get_language_info(code)["name_local"],
                "url": url,
                "current": code == current,
                "same_page": same_page,  # <link rel="alternate"> only for a true counterpart
            }
        )
    return links


def portal(request: HttpRequest) -> dict:
    """Values every page's base template needs (no database access: error pages use it)."""
    return {"SITE_URL": settings.SITE_URL, "portal_nav": _nav(request.path), "language_links": _language_links(request)}
