"""Who reaches what: every admin URL and every staff, /manage/ and /accounts/ page, for each role.

The URLs are generated, not listed by hand: the admin's from ``admin.site`` (each model admin's
``get_urls()`` and the site's own views), the pages from a walk of the URLconf. Each one needs an
entry in the tables below with the exact answer for each of the six roles, so a new admin
view, admin action or page without one fails here with its name. The README's "Roles" table is
derived from the same tables and compared (``test_readme_roles_table_matches_the_matrix``).

GET is asked for every URL; a POST where the GET is refused must be refused the same way and
change nothing, and the POST-only views carry their POST answer in the table.
"""

import dataclasses
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from accounts import services as account_services
from accounts.models import EditorScope
from accounts.tokens import invitation_token
from municipalities.models import Municipality
from organizations import services as organization_services
from organizations.models import ListingRevision
from portal.models import PersonalDataAccessLog, PolicyProgram, PrivacyRequestDesk
from portal.privacy import personal_data_access_record
from portal.roles import EVENT_STAFF, MINISTRY_STAFF, MUNICIPALITY_EDITOR
from seminars.models import SeminarMessage
from summits.models import Delegate
from summits.services import application_create
from tests.conftest import PortalClient
from tests.factories import (
    ActivityCategoryFactory,
    CaseStudyFactory,
    FundingCategoryFactory,
    MemberTypeFactory,
    MunicipalityFactory,
    OrganizationFactory,
    SurveyTotalFactory,
)
from tests.seminars.factories import make_registration, make_seminar
from tests.summits.factories import contact, make_course, make_summit, make_track, mayor

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR) / "README.md"

# ================================================================ answers


@dataclasses.dataclass(frozen=True)
class Redirect:
    """A redirect to exactly ``to``. ``{path}`` stands for the path asked for, ``{next}`` for it
    quoted as a login's ?next=, other ``{names}`` for ids of the world's rows (World.ids)."""

    to: str

    def __str__(self) -> str:
        return f"→ {self.to}"


# The answers of a 200 admin change page: a form with something to save; one to read, for a
# role without the change permission (a POST is refused); one whose every field is read-only.
EDITABLE = "200 (変更できるフォーム)"
READ_ONLY = "200 (閲覧のみ: 変更の権限なし)"
FIELDS_READ_ONLY = "200 (閲覧のみ: すべての項目が読み取り専用)"

ADMIN_LOGIN = Redirect("/admin/login/?next={next}")
LOGIN = Redirect("/accounts/login/?next={next}")


@dataclasses.dataclass(frozen=True)
class Answers:
    """One answer per role: the columns of every row below."""

    anonymous: object
    editor_a: object  # 自治体編集者 of municipality A (長野市), whose rows the URLs are filled with
    editor_b: object  # 自治体編集者 of municipality B (安芸高田市)
    event_staff: object  # イベント担当
    ministry_staff: object  # 本省職員
    superuser: object


ROLES = tuple(field.name for field in dataclasses.fields(Answers))


def every_role(answer) -> Answers:
    return Answers(*[answer] * len(ROLES))


def staff_only(event_staff, ministry_staff, superuser) -> Answers:
    """The admin (and staff_member_required) sends anonymous readers and every account without
    is_staff to the admin's login page."""
    return Answers(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, event_staff, ministry_staff, superuser)


@dataclasses.dataclass(frozen=True)
class Entry:
    get: Answers
    post: Answers | None = None  # for POST-only views (their GET answers 405)


# ================================================================ the admin: one row per model admin

CHANGELIST, ADD, HISTORY, DELETE, CHANGE = "", "add/", "<path:object_id>/history/", "<path:object_id>/delete/", "<path:object_id>/change/"
# Django's change URL before 1.9: a redirect to the change page for any staff account.
OLD_CHANGE = "<path:object_id>/"
TO_CHANGE_PAGE = Redirect("{path}change/")


def profile(changelist, add, history, delete, change) -> dict[str, object]:
    """One staff role's answers on the routes every model admin has."""
    return {CHANGELIST: changelist, ADD: add, HISTORY: history, DELETE: delete, CHANGE: change, OLD_CHANGE: TO_CHANGE_PAGE}


NOTHING = profile(403, 403, 403, 403, 403)
EVERYTHING = profile(200, 200, 200, 200, EDITABLE)
VIEW = profile(200, 403, 200, 403, READ_ONLY)
VIEW_DELETE = profile(200, 403, 200, 200, READ_ONLY)
VIEW_CHANGE = profile(200, 403, 200, 403, EDITABLE)
# A model kept as one row (the row exists in the world): "add" is refused while it does.
ONE_ROW = profile(200, 403, 200, 200, EDITABLE)
# The change permission, but nothing to change: a record to read and delete.
RECORD_DELETE = profile(200, 403, 200, 200, FIELDS_READ_ONLY)


def admin_row(*, event_staff, ministry_staff, superuser, extra: dict[str, Entry] | None = None) -> dict[str, Entry]:
    """A model admin's routes: the common ones from the three staff profiles, then its own."""
    routes = {route: Entry(staff_only(event_staff[route], ministry_staff[route], superuser[route])) for route in event_staff}
    return routes | (extra or {})


def extra_route(event_staff, ministry_staff, superuser, *, post: Answers | None = None) -> Entry:
    return Entry(staff_only(event_staff, ministry_staff, superuser), post)


# model label -> route of its model admin's get_urls() -> answers.
ADMIN_MODELS: dict[str, dict[str, Entry]] = {
    # ------------------------------------------------ accounts and access
    "auth.user": admin_row(
        event_staff=NOTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING,
        extra={"<id>/password/": extra_route(403, 200, 200)},
    ),
    # Ministry staff see the groups; only a superuser redefines one (role_groups_sync would
    # overwrite it after the next migrate anyway).
    "auth.group": admin_row(event_staff=NOTHING, ministry_staff=VIEW, superuser=EVERYTHING),
    "accounts.editorscope": admin_row(event_staff=NOTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING),
    "accounts.invitation": admin_row(event_staff=NOTHING, ministry_staff=VIEW_DELETE, superuser=VIEW_DELETE),
    # A lost phone: ministry staff remove the device; nobody is shown its secret or QR code.
    "otp_totp.totpdevice": admin_row(
        event_staff=NOTHING, ministry_staff=VIEW_DELETE, superuser=EVERYTHING,
        extra={"<int:pk>/config/": extra_route(403, 403, 403), "<int:pk>/qrcode/": extra_route(403, 403, 403)},
    ),
    # Login lockouts: deleting an attempt lifts the lockout (ministry staff); the failure log
    # (addresses and user agents of every failure) is for superusers only.
    "axes.accessattempt": admin_row(event_staff=NOTHING, ministry_staff=VIEW_DELETE, superuser=RECORD_DELETE),
    "axes.accesslog": admin_row(event_staff=NOTHING, ministry_staff=VIEW, superuser=RECORD_DELETE),
    "axes.accessfailurelog": admin_row(event_staff=NOTHING, ministry_staff=NOTHING, superuser=RECORD_DELETE),
    # The mail queue: its rows carry the ids of registrations; a superuser's tool.
    "django_tasks_database.dbtaskresult": admin_row(event_staff=NOTHING, ministry_staff=NOTHING, superuser=VIEW),
    # ------------------------------------------------ portal
    "portal.policyprogram": admin_row(event_staff=NOTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING),
    "portal.personaldataaccesslog": admin_row(event_staff=NOTHING, ministry_staff=VIEW, superuser=VIEW),
    "portal.privacyrequestdesk": admin_row(event_staff=NOTHING, ministry_staff=ONE_ROW, superuser=ONE_ROW),
    # ------------------------------------------------ the master (rows come from the fixture)
    # Event staff read it: the summit admin's municipality search needs the view permission.
    "municipalities.prefecture": admin_row(event_staff=VIEW, ministry_staff=VIEW_CHANGE, superuser=VIEW_CHANGE),
    "municipalities.municipality": admin_row(event_staff=VIEW, ministry_staff=VIEW_CHANGE, superuser=VIEW_CHANGE),
    # ------------------------------------------------ the RMO registry
    "organizations.organization": admin_row(
        event_staff=NOTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING,
        # An import adds, changes, publishes and withdraws listings: ministry staff only. The
        # export is the file the import reads back (view permission).
        extra={
            "import/": extra_route(403, 200, 200),
            "process_import/": extra_route(405, 405, 405, post=staff_only(403, 200, 200)),
            "export/": extra_route(403, 200, 200),
        },
    ),
    "organizations.casestudy": admin_row(event_staff=NOTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING),
    "organizations.activitycategory": admin_row(event_staff=NOTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING),
    "organizations.fundingcategory": admin_row(event_staff=NOTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING),
    "organizations.membertype": admin_row(event_staff=NOTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING),
    "organizations.surveytotal": admin_row(event_staff=NOTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING),
    # Proposals change state only through /manage/ (the review services).
    "organizations.listingrevision": admin_row(event_staff=NOTHING, ministry_staff=VIEW, superuser=VIEW),
    # ------------------------------------------------ events
    "seminars.seminar": admin_row(
        event_staff=EVERYTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING,
        extra={"<int:seminar_id>/message/": extra_route(200, 200, 200)},
    ),
    # Registrations come from the public form and are cancelled, never deleted (seats).
    "seminars.registration": admin_row(
        event_staff=VIEW_CHANGE, ministry_staff=VIEW_CHANGE, superuser=VIEW_CHANGE,
        # A correction needs change_registration, a phone entry add_registration (both through
        # the seminars services; the model's own add form stays closed).
        extra={
            "export/": extra_route(200, 200, 200),
            "<path:object_id>/correct/": extra_route(200, 200, 200),
            "phone/": extra_route(200, 200, 200),
        },
    ),
    # The record of a message sent (from the seminar's お知らせ page).
    "seminars.seminarmessage": admin_row(event_staff=RECORD_DELETE, ministry_staff=RECORD_DELETE, superuser=RECORD_DELETE),
    "summits.summit": admin_row(event_staff=EVERYTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING),
    "summits.breakouttrack": admin_row(event_staff=EVERYTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING),
    "summits.application": admin_row(event_staff=EVERYTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING),
    "summits.delegate": admin_row(
        event_staff=EVERYTHING, ministry_staff=EVERYTHING, superuser=EVERYTHING,
        extra={"export/": extra_route(200, 200, 200)},
    ),
}

# The admin site's own views, by URL name (the catch-all by its pattern); app_list once per app.
ADMIN_SITE: dict[str, Entry] = {
    "index": Entry(staff_only(200, 200, 200)),
    # The portal's own login answers the admin's login URL (rmo_portal/urls.py).
    "login": Entry(every_role(200)),
    # Logging out is a POST; the admin sends an account without staff status to its index.
    "logout": Entry(
        Answers(Redirect("/admin/"), Redirect("/admin/"), Redirect("/admin/"), 405, 405, 405),
        post=Answers(Redirect("/admin/"), Redirect("/admin/"), Redirect("/admin/"), 200, 200, 200),
    ),
    "password_change": Entry(staff_only(200, 200, 200)),
    "password_change_done": Entry(staff_only(200, 200, 200)),
    # Filled with the municipality search of the summit application form (the master's view
    # permission, which every staff role holds).
    "autocomplete": Entry(staff_only(200, 200, 200)),
    "jsi18n": Entry(staff_only(200, 200, 200)),
    # Filled with the municipality 長野市: the redirect to its public page.
    "view_on_site": Entry(staff_only(*[Redirect("http://testserver/municipalities/202011/")] * 3)),
    "(?P<url>.*)$": Entry(staff_only(404, 404, 404)),
    # An app's index: where the role has a model of the app; 404 otherwise.
    "app_list:auth": Entry(staff_only(404, 200, 200)),
    "app_list:accounts": Entry(staff_only(404, 200, 200)),
    "app_list:otp_totp": Entry(staff_only(404, 200, 200)),
    "app_list:axes": Entry(staff_only(404, 200, 200)),
    "app_list:django_tasks_database": Entry(staff_only(404, 404, 200)),
    "app_list:portal": Entry(staff_only(404, 200, 200)),
    "app_list:municipalities": Entry(staff_only(200, 200, 200)),
    "app_list:organizations": Entry(staff_only(404, 200, 200)),
    "app_list:seminars": Entry(staff_only(200, 200, 200)),
    "app_list:summits": Entry(staff_only(200, 200, 200)),
}

# Admin actions each role is offered (model_admin.get_actions), per model admin; a model admin
# not named here offers none to anyone.
ALL = frozenset(ROLES)
STAFF_ROLES = frozenset({"event_staff", "ministry_staff", "superuser"})
MINISTRY_AND_SUPERUSER = frozenset({"ministry_staff", "superuser"})
SUPERUSER_ONLY = frozenset({"superuser"})
ADMIN_ACTIONS: dict[str, dict[str, frozenset]] = {
    "auth.user": {"delete_selected": MINISTRY_AND_SUPERUSER, "end_sessions_everywhere": MINISTRY_AND_SUPERUSER},
    "auth.group": {"delete_selected": SUPERUSER_ONLY},
    "accounts.editorscope": {"delete_selected": MINISTRY_AND_SUPERUSER},
    "accounts.invitation": {"delete_selected": MINISTRY_AND_SUPERUSER},
    "otp_totp.totpdevice": {"delete_selected": MINISTRY_AND_SUPERUSER},
    # django-axes declares its clean-up action without a permission, so get_actions offers it
    # to everyone; only those who reach the list (ministry staff, superusers) can run it, and
    # it removes expired attempts only.
    "axes.accessattempt": {"delete_selected": MINISTRY_AND_SUPERUSER, "cleanup_expired_attempts": ALL},
    "axes.accesslog": {"delete_selected": SUPERUSER_ONLY},
    "axes.accessfailurelog": {"delete_selected": SUPERUSER_ONLY},
    "portal.policyprogram": {"delete_selected": MINISTRY_AND_SUPERUSER},
    "portal.privacyrequestdesk": {"delete_selected": MINISTRY_AND_SUPERUSER},
    "organizations.organization": {
        "delete_selected": MINISTRY_AND_SUPERUSER,
        "publish": MINISTRY_AND_SUPERUSER,
        "withdraw": MINISTRY_AND_SUPERUSER,
    },
    "organizations.casestudy": {"delete_selected": MINISTRY_AND_SUPERUSER},
    "organizations.activitycategory": {"delete_selected": MINISTRY_AND_SUPERUSER},
    "organizations.fundingcategory": {"delete_selected": MINISTRY_AND_SUPERUSER},
    "organizations.membertype": {"delete_selected": MINISTRY_AND_SUPERUSER},
    "organizations.surveytotal": {"delete_selected": MINISTRY_AND_SUPERUSER},
    "seminars.seminar": {
        "delete_selected": STAFF_ROLES,
        "close_registration": STAFF_ROLES,
        "reopen_registration": STAFF_ROLES,
    },
    "seminars.registration": {
        "cancel_registrations": STAFF_ROLES,
        "check_in_registrations": STAFF_ROLES,
        "erase_personal_data": STAFF_ROLES,
    },
    "seminars.seminarmessage": {"delete_selected": STAFF_ROLES},
    "summits.summit": {"delete_selected": STAFF_ROLES},
    "summits.breakouttrack": {"delete_selected": STAFF_ROLES},
    "summits.application": {"delete_selected": STAFF_ROLES, "erase_personal_data": STAFF_ROLES},
    "summits.delegate": {"delete_selected": STAFF_ROLES, "erase_personal_data": STAFF_ROLES},
}

# ================================================================ pages outside the admin

# Every URL name of the URLconf outside the admin is public or has an entry in PAGES.
PUBLIC_PAGES = {
    "portal:home", "portal:about", "portal:privacy", "portal:privacy_files", "portal:privacy_requests", "portal:healthz",
    "portal:accessibility", "portal:accessibility_results",
    "municipalities:municipality_detail", "municipalities:prefecture_detail",
    "organizations:organization_list", "organizations:organization_detail", "organizations:export_csv",
    "organizations:export_json", "organizations:stats", "organizations:open_data", "organizations:open_data_readme",
    "organizations:snapshot",
    "seminars:seminar_list", "seminars:seminar_detail", "seminars:register", "seminars:registration_detail",
    "seminars:seminar_qr_svg", "seminars:seminar_qr_png", "seminars:seminar_flyer", "seminars:registration_resend",
    "seminars:registration_ticket", "seminars:registration_ticket_png", "seminars:registration_calendar",
    "summits:summit_list", "summits:summit_detail", "summits:track_detail", "summits:register",
    "summits:summit_calendar", "summits:session_calendar", "summits:application_detail",
    "summits:application_withdraw",
}  # fmt: skip
# Namespaces whose every URL is in PAGES; other staff pages are named in PAGES one by one.
MATRIX_NAMESPACES = ("manage", "accounts")

R = Redirect
PAGES: dict[str, Entry] = {
    # ------------------------------------------------ accounts (columns: anonymous, editor A,
    # editor B, event staff, ministry staff, superuser)
    "accounts:login": Entry(every_role(200)),
    # Without a half-finished login: back to the password; a verified session: its account page.
    "accounts:login_code": Entry(
        Answers(R("/accounts/login/"), R("/accounts/login/"), R("/accounts/login/"), R("/accounts/"), R("/accounts/"), R("/accounts/"))
    ),
    # A GET asks first; logging out is the POST.
    "accounts:logout": Entry(every_role(200)),
    "accounts:account": Entry(Answers(LOGIN, 200, 200, 200, 200, 200)),
    # Every session of the account ends, this one too: the login page (without a way back).
    "accounts:logout_everywhere": Entry(every_role(405), post=Answers(LOGIN, *[R("/accounts/login/")] * 5)),
    "accounts:two_factor": Entry(Answers(LOGIN, 200, 200, 200, 200, 200)),
    "accounts:invitation_list": Entry(Answers(LOGIN, 403, 403, 403, 200, 200)),
    "accounts:invitation_create": Entry(Answers(LOGIN, 403, 403, 403, 200, 200)),
    # The emailed link is the credential: it opens for whoever holds it.
    "accounts:invitation_accept": Entry(every_role(200)),
    # Password reset: public. A link that does not work answers its helpful page as a 404.
    "accounts:password_reset": Entry(every_role(200)),
    "accounts:password_reset_done": Entry(every_role(200)),
    "accounts:password_reset_confirm": Entry(every_role(404)),
    "accounts:password_reset_complete": Entry(every_role(200)),
    # ------------------------------------------------ /manage/: A's rows; editor B may not touch them
    "manage:dashboard": Entry(Answers(LOGIN, 200, 200, 403, 200, 200)),
    "manage:organization_create": Entry(Answers(LOGIN, 200, 200, 403, 200, 200)),
    "manage:organization_edit": Entry(Answers(LOGIN, 200, 403, 403, 200, 200)),
    "manage:organization_history": Entry(Answers(LOGIN, 200, 403, 403, 200, 200)),
    "manage:organization_restore": Entry(
        Answers(LOGIN, 405, 405, 405, 405, 405),
        post=Answers(LOGIN, 403, 403, 403, R("/manage/organizations/{organization}/history/"), R("/manage/organizations/{organization}/history/")),
    ),
    "manage:revision_detail": Entry(Answers(LOGIN, 200, 403, 403, 200, 200)),
    "manage:revision_edit": Entry(Answers(LOGIN, 200, 403, 403, 200, 200)),
    "manage:revision_submit": Entry(
        Answers(LOGIN, 405, 405, 405, 405, 405),
        post=Answers(LOGIN, R("/manage/revisions/{draft_to_submit}/"), 403, 403, R("/manage/revisions/{draft_to_submit}/"), R("/manage/revisions/{draft_to_submit}/")),
    ),
    "manage:revision_revise": Entry(
        Answers(LOGIN, 405, 405, 405, 405, 405),
        post=Answers(LOGIN, R("/manage/revisions/{revised_draft}/edit/"), 403, 403, R("/manage/revisions/{revised_draft}/edit/"), R("/manage/revisions/{revised_draft}/edit/")),
    ),
    "manage:revision_approve": Entry(
        Answers(LOGIN, 405, 405, 405, 405, 405),
        post=Answers(LOGIN, 403, 403, 403, R("/manage/review/"), R("/manage/review/")),
    ),
    "manage:revision_return": Entry(
        Answers(LOGIN, 405, 405, 405, 405, 405),
        post=Answers(LOGIN, 403, 403, 403, R("/manage/review/"), R("/manage/review/")),
    ),
    "manage:review_queue": Entry(Answers(LOGIN, 403, 403, 403, 200, 200)),
    # ------------------------------------------------ event staff pages (staff_member_required)
    "seminars:checkin": Entry(staff_only(200, 200, 200)),
    "seminars:checkin_counts": Entry(staff_only(200, 200, 200)),
    "seminars:checkin_registration": Entry(staff_only(200, 200, 200)),
    "summits:staff_overview": Entry(staff_only(200, 200, 200)),
    "summits:staff_export": Entry(staff_only(200, 200, 200)),
    "summits:staff_name_cards": Entry(staff_only(200, 200, 200)),
}  # fmt: skip

# Views without a write path, which a refused POST is not tried on (every other one is).
VIEWS_WITHOUT_WRITES = {
    HISTORY, OLD_CHANGE, "admin:index", "admin:jsi18n", "admin:autocomplete", "admin:view_on_site",
    "admin:(?P<url>.*)$", "admin:password_change_done",
}  # fmt: skip

# Bodies of the POSTs whose answer is in the tables (others are posted empty).
POST_DATA = {
    "manage:revision_approve": {"comment": ""},
    "manage:revision_return": {"comment": "連絡先を確認してください。"},
}

# ================================================================ the world the URLs are filled with


def _user(username: str, *, groups=(), is_staff: bool = False, is_superuser: bool = False):
    user = get_user_model().objects.create_user(
        username, email=f"{username}@example.jp", password=None, is_staff=is_staff, is_superuser=is_superuser
    )
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


@dataclasses.dataclass
class World:
    users: dict  # role -> user (None for anonymous)
    rows: dict  # model label -> the row its admin URLs are filled with
    page_kwargs: dict  # URL name -> kwargs
    ids: dict  # names used in Redirect targets

    def placeholders(self, path: str, target: str) -> dict:
        names = {"path": path, "next": quote(path, safe="/"), **self.ids}
        if "{revised_draft}" in target:
            # The draft that "修正する" makes from the returned proposal exists only after the POST.
            revised = ListingRevision.objects.filter(previous_id=self.ids["returned_revision"]).values_list("pk", flat=True)
            names["revised_draft"] = next(iter(revised), "(none)")
        return names


def build_world() -> World:
    municipality_a = MunicipalityFactory(code="202011")  # 長野市
    municipality_b = MunicipalityFactory(code="342149")  # 安芸高田市
    editor_a = _user("editor-a", groups=[MUNICIPALITY_EDITOR])
    EditorScope.objects.create(user=editor_a, municipality=municipality_a)
    editor_b = _user("editor-b", groups=[MUNICIPALITY_EDITOR])
    EditorScope.objects.create(user=editor_b, municipality=municipality_b)
    event_staff = _user("event", groups=[EVENT_STAFF], is_staff=True)
    ministry_staff = _user("honsho", groups=[MINISTRY_STAFF], is_staff=True)
    users = {
        "anonymous": None,
        "editor_a": editor_a,
        "editor_b": editor_b,
        "event_staff": event_staff,
        "ministry_staff": ministry_staff,
        "superuser": _user("root", is_staff=True, is_superuser=True),
    }

    organization = OrganizationFactory(municipality=municipality_a, name="芋井地区住民自治協議会")

    def proposal(name: str, *, submitted: bool = False, returned: bool = False) -> ListingRevision:
        revision = organization_services.listing_draft_save(
            user=editor_a, organization=None, municipality=municipality_a, name=name
        )
        if submitted or returned:
            revision = organization_services.listing_submit(user=editor_a, revision=revision)
        if returned:
            revision = organization_services.listing_return(user=ministry_staff, revision=revision, comment="確認を")
        return revision

    in_review = proposal("審査中の協議会", submitted=True)
    ids = {
        "organization": organization.pk,
        "history_version": organization.history.earliest("history_date").history_id,
        "draft": proposal("下書きの協議会").pk,
        "draft_to_submit": proposal("提出前の協議会").pk,
        "returned_revision": proposal("差し戻された協議会", returned=True).pk,
        "to_approve": proposal("承認待ちの協議会", submitted=True).pk,
        "to_return": proposal("差し戻し待ちの協議会", submitted=True).pk,
    }
    invitation = account_services.invitation_create(
        invited_by=ministry_staff, email="invited@city.example.jp", municipality=municipality_a
    )
    seminar = make_seminar(slug="matrix")
    registration = make_registration(seminar)
    summit = make_summit(slug="matrix")
    track = make_track(summit)
    application = application_create(
        summit=summit,
        municipality=municipality_b,
        contact=contact(),
        delegates=[mayor(track=track, course=make_course(summit))],
        consent=True,
    )
    login_record = {
        "username": "editor-b",
        "ip_address": "192.0.2.10",
        "user_agent": "Mozilla/5.0",
        "http_accept": "*/*",
        "path_info": "/accounts/login/",
    }
    rows = {
        "auth.user": invitation.user,
        "auth.group": Group.objects.get(name=MINISTRY_STAFF),
        "accounts.editorscope": editor_a.editor_scope,
        "accounts.invitation": invitation,
        "otp_totp.totpdevice": TOTPDevice.objects.create(user=event_staff, name="なくした端末", confirmed=True),
        "axes.accessattempt": AccessAttempt.objects.create(**login_record, get_data="", post_data="", failures_since_start=5),
        "axes.accesslog": AccessLog.objects.create(**login_record),
        "axes.accessfailurelog": AccessFailureLog.objects.create(**login_record, locked_out=True),
        # The invitation's mail, queued.
        "django_tasks_database.dbtaskresult": DBTaskResult.objects.get(args_kwargs__args__0="accounts.invitation"),
        "portal.policyprogram": PolicyProgram.objects.create(slug="rmo", title="地域運営組織の形成"),
        "portal.privacyrequestdesk": PrivacyRequestDesk.objects.create(office_name="地域振興室"),
        "portal.personaldataaccesslog": personal_data_access_record(
            action=PersonalDataAccessLog.Action.EXPORT, data="seminars.registration", row_count=1
        ),
        "municipalities.prefecture": municipality_a.prefecture,
        "municipalities.municipality": municipality_a,
        "organizations.organization": organization,
        "organizations.casestudy": CaseStudyFactory(organization=organization),
        "organizations.activitycategory": ActivityCategoryFactory(),
        "organizations.fundingcategory": FundingCategoryFactory(),
        "organizations.membertype": MemberTypeFactory(),
        "organizations.surveytotal": SurveyTotalFactory(),
        "organizations.listingrevision": in_review,
        "seminars.seminar": seminar,
        "seminars.registration": registration,
        "seminars.seminarmessage": SeminarMessage.objects.create(seminar=seminar, mode="venue", subject="会場のご案内", body="本文"),
        "summits.summit": summit,
        "summits.breakouttrack": track,
        "summits.application": application,
        "summits.delegate": Delegate.objects.get(application=application),
    }
    page_kwargs = {
        "manage:organization_edit": {"pk": organization.pk},
        "manage:organization_history": {"pk": organization.pk},
        "manage:organization_restore": {"pk": organization.pk, "history_id": ids["history_version"]},
        "manage:revision_detail": {"pk": in_review.pk},
        "manage:revision_edit": {"pk": ids["draft"]},
        "manage:revision_submit": {"pk": ids["draft_to_submit"]},
        "manage:revision_revise": {"pk": ids["returned_revision"]},
        "manage:revision_approve": {"pk": ids["to_approve"]},
        "manage:revision_return": {"pk": ids["to_return"]},
        "accounts:invitation_accept": {
            "uidb64": urlsafe_base64_encode(force_bytes(invitation.user.pk)),
            "token": invitation_token(invitation),
        },
        "accounts:password_reset_confirm": {"uidb64": "MA", "token": "used-link"},
        "seminars:checkin": {"slug": seminar.slug},
        "seminars:checkin_counts": {"slug": seminar.slug},
        "seminars:checkin_registration": {"token": registration.checkin_token},
        "summits:staff_overview": {"slug": summit.slug},
        "summits:staff_export": {"slug": summit.slug, "fmt": "csv"},
        "summits:staff_name_cards": {"slug": summit.slug},
    }
    return World(users=users, rows=rows, page_kwargs=page_kwargs, ids=ids)


# ================================================================ generating the URLs

PARAMETER = re.compile(r"<(?:\w+:)?\w+>")


@dataclasses.dataclass(frozen=True)
class Url:
    key: str  # how the tables name it
    path: str
    entry: Entry | None  # None: no entry in the tables
    route: str = ""  # a model admin's route, or "admin:<key>" / the page's URL name


def admin_model_routes() -> list[tuple[str, str, str]]:
    """(model label, route, admin URL prefix) of every URL of every model admin."""
    routes = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        for pattern in model_admin.get_urls():
            routes.append((opts.label_lower, str(pattern.pattern), f"/admin/{opts.app_label}/{opts.model_name}/"))
    return routes


def admin_site_keys() -> list[str]:
    """The admin site's own views: URL name, or the pattern of an unnamed one; app_list per app."""
    keys = []
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            continue  # a model admin's URLs, generated from the registry above
        if pattern.name == "app_list":
            keys += [f"app_list:{label}" for label in sorted({model._meta.app_label for model in admin.site._registry})]
        else:
            keys.append(pattern.name or str(pattern.pattern))
    return keys


def admin_site_path(key: str) -> str:
    if key.startswith("app_list:"):
        return reverse("admin:app_list", kwargs={"app_label": key.removeprefix("app_list:")})
    if key == "(?P<url>.*)$":
        return "/admin/no-such-page/"
    if key == "autocomplete":
        query = "app_label=summits&model_name=application&field_name=municipality&term=%E9%95%B7%E9%87%8E"
        return f"{reverse('admin:autocomplete')}?{query}"
    if key == "view_on_site":
        content_type = ContentType.objects.get_for_model(Municipality)
        return reverse("admin:view_on_site", kwargs={"content_type_id": content_type.pk, "object_id": "202011"})
    return reverse(f"admin:{key}")


def admin_urls(world: World) -> list[Url]:
    urls = []
    for label, route, prefix in admin_model_routes():
        row = world.rows[label]
        path = prefix + PARAMETER.sub(str(row.pk), route)
        urls.append(Url(f"{label} {route!r}", path, ADMIN_MODELS.get(label, {}).get(route), route))
    for key in admin_site_keys():
        urls.append(Url(f"admin:{key}", admin_site_path(key), ADMIN_SITE.get(key), f"admin:{key}"))
    return urls


def url_names(resolver=None, namespace: str = "") -> list[tuple[str, str]]:
    """(namespaced name, route) of every URL of the URLconf; an unnamed one is "namespace:" or ""."""
    found = []
    for item in (resolver or get_resolver()).url_patterns:
        if isinstance(item, URLResolver):
            inner = ":".join(part for part in (namespace, item.namespace) if part)
            found += url_names(item, inner)
        elif isinstance(item, URLPattern):
            name = f"{namespace}:{item.name or ''}" if namespace else (item.name or "")
            found.append((name, str(item.pattern)))
    return found


def classify(name: str, route: str) -> str | None:
    # Unnamed admin/ routes of the root URLconf (login, view on site) answer an admin URL in
    # its place, so they are asked through that admin URL's entry.
    if name.startswith("admin:") or (not name and route.startswith("admin/")):
        return "admin"
    if name.split(":")[0] in MATRIX_NAMESPACES:
        return name.split(":")[0]
    if name in PAGES:
        return "staff"
    if name in PUBLIC_PAGES:
        return "public"
    return None


def page_urls(world: World) -> list[Url]:
    urls = []
    for name, route in url_names():
        if classify(name, route) in ("staff", *MATRIX_NAMESPACES):
            urls.append(Url(name, reverse(name, kwargs=world.page_kwargs.get(name, {})), PAGES.get(name), name))
    return urls


# ================================================================ asking


def client_for(world: World, role: str) -> PortalClient:
    client = PortalClient(raise_request_exception=False)  # an error is a cell's answer (500), not a crash
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def answer_of(response):
    if response.status_code in (301, 302):
        return Redirect(response["Location"])
    context = getattr(response, "context_data", None) or {}
    if response.status_code == 200 and context.get("change") is True and "adminform" in context:
        if not context["has_change_permission"]:
            return READ_ONLY
        inlines_editable = any(
            inline.has_add_permission or inline.has_change_permission for inline in context.get("inline_admin_formsets", [])
        )
        return EDITABLE if context["adminform"].form.fields or inlines_editable else FIELDS_READ_ONLY
    return response.status_code


def expected_answer(answer, world: World, path: str):
    if isinstance(answer, Redirect):
        return Redirect(answer.to.format(**world.placeholders(path, answer.to)))
    return answer


def is_refusal(answer) -> bool:
    """403, 404, or a redirect to a login page that would come back (?next=)."""
    return answer in (403, 404) or (
        isinstance(answer, Redirect) and answer.to.startswith(("/admin/login/?next=", "/accounts/login/?next="))
    )


@pytest.fixture
def world() -> World:
    return build_world()


# ================================================================ the tests


def test_every_url_has_an_entry_and_every_entry_a_url():
    admin_keys = {(label, route) for label, route, _prefix in admin_model_routes()}
    listed_admin_keys = {(label, route) for label, routes in ADMIN_MODELS.items() for route in routes}
    pages = url_names()
    page_names = {name for name, route in pages if classify(name, route) in ("staff", *MATRIX_NAMESPACES)}

    missing_admin = sorted(admin_keys - listed_admin_keys)
    stale_admin = sorted(listed_admin_keys - admin_keys)
    missing_site, stale_site = sorted(set(admin_site_keys()) - set(ADMIN_SITE)), sorted(set(ADMIN_SITE) - set(admin_site_keys()))
    unclassified = sorted(name or route for name, route in pages if classify(name, route) is None)
    missing_pages, stale_pages = sorted(page_names - set(PAGES)), sorted(set(PAGES) - page_names)
    stale_actions = sorted(set(ADMIN_ACTIONS) - {model._meta.label_lower for model in admin.site._registry})

    assert missing_admin == [], f"admin URLs without an entry in ADMIN_MODELS: {missing_admin}"
    assert stale_admin == [], f"ADMIN_MODELS entries for admin URLs that do not exist: {stale_admin}"
    assert missing_site == [], f"admin site views without an entry in ADMIN_SITE: {missing_site}"
    assert stale_site == [], f"ADMIN_SITE entries without a view: {stale_site}"
    assert unclassified == [], f"URLs neither in PUBLIC_PAGES nor in PAGES: {unclassified}"
    assert missing_pages == [], f"pages without an entry in PAGES: {missing_pages}"
    assert stale_pages == [], f"PAGES entries without a page: {stale_pages}"
    assert stale_actions == [], f"ADMIN_ACTIONS entries without a model admin: {stale_actions}"


def test_the_admin_urls_in_the_urlconf_are_the_generated_ones():
    urlconf_admin_routes = {route for name, route in url_names() if name.startswith("admin:")}
    generated = {route for _label, route, _prefix in admin_model_routes()} | {
        str(pattern.pattern) for pattern in admin.site.get_urls() if isinstance(pattern, URLPattern)
    }

    assert sorted(urlconf_admin_routes - generated) == []


@pytest.mark.parametrize("role", ROLES)
def test_get_answers_match_the_matrix(world, role):
    client = client_for(world, role)
    urls = admin_urls(world) + page_urls(world)

    mismatches = []
    for url in urls:
        if url.entry is None:
            mismatches.append(f"{url.key}: no entry in the tables")
            continue
        expected = expected_answer(getattr(url.entry.get, role), world, url.path)
        got = answer_of(client.get(url.path))
        if got != expected:
            mismatches.append(f"GET {url.path} ({url.key}) as {role}: expected {expected}, got {got}")

    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("role", ROLES)
def test_admin_actions_offered_match_the_matrix(world, role):
    request = RequestFactory().get("/admin/")
    request.user = world.users[role] or AnonymousUser()

    offered = {
        model._meta.label_lower: set(model_admin.get_actions(request)) for model, model_admin in admin.site._registry.items()
    }

    expected = {
        label: {action for action, roles in ADMIN_ACTIONS.get(label, {}).items() if role in roles} for label in offered
    }
    assert offered == expected


def _rows_of(model) -> list[dict]:
    return list(model._default_manager.order_by("pk").values())


def _database() -> dict[str, list[dict]]:
    """Every row of every model with an admin."""
    return {model._meta.label_lower: _rows_of(model) for model in admin.site._registry}


@pytest.mark.parametrize("role", ROLES)
def test_refused_posts_are_refused_and_change_nothing(world, role):
    client = client_for(world, role)
    before = _database()

    mismatches = []
    for url in admin_urls(world) + page_urls(world):
        if url.entry is None or url.route in VIEWS_WITHOUT_WRITES or url.route.startswith("admin:app_list:"):
            continue
        get_answer = expected_answer(getattr(url.entry.get, role), world, url.path)
        post_answer = expected_answer(getattr(url.entry.post, role), world, url.path) if url.entry.post else None
        if post_answer is not None and is_refusal(post_answer):
            expected = post_answer
        elif post_answer is None and (is_refusal(get_answer) or get_answer == READ_ONLY):
            # Refused to read, refused to write, the same way; a read-only form refuses the write.
            expected = 403 if get_answer == READ_ONLY else get_answer
        else:
            continue
        got = answer_of(client.post(url.path, POST_DATA.get(url.key, {})))
        if got != expected:
            mismatches.append(f"POST {url.path} ({url.key}) as {role}: expected {expected}, got {got}")

    assert not mismatches, "\n".join(mismatches)
    assert _database() == before


@pytest.mark.parametrize("role", ROLES)
def test_allowed_posts_of_post_only_views_match_the_matrix(world, role):
    mismatches = []
    for url in admin_urls(world) + page_urls(world):
        if url.entry is None or url.entry.post is None or is_refusal(getattr(url.entry.post, role)):
            continue
        client = client_for(world, role)  # fresh: a logout must not change the next answer
        got = answer_of(client.post(url.path, POST_DATA.get(url.key, {})))
        expected = expected_answer(getattr(url.entry.post, role), world, url.path)
        if got != expected:
            mismatches.append(f"POST {url.path} ({url.key}) as {role}: expected {expected}, got {got}")

    assert not mismatches, "\n".join(mismatches)


def test_ministry_staff_lift_a_lockout_by_deleting_its_attempt(world):
    attempt = world.rows["axes.accessattempt"]
    path = f"/admin/axes/accessattempt/{attempt.pk}/delete/"

    refused = client_for(world, "event_staff").post(path, {"post": "yes"})
    locked_after_refusal = AccessAttempt.objects.filter(pk=attempt.pk).exists()
    lifted = client_for(world, "ministry_staff").post(path, {"post": "yes"})

    assert (refused.status_code, locked_after_refusal) == (403, True)
    # Without the change permission the admin goes back to its index, not to the list.
    assert (lifted.status_code, lifted["Location"]) == (302, "/admin/")
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists() is False


# ================================================================ the README's roles table

COLUMNS = ("画面", "未ログイン", "自治体編集者（A市）", "自治体編集者（B市）", "イベント担当", "本省職員", "スーパーユーザー")

# README rows: a label and the table keys it stands for (model labels for admin rows, URL
# names or "admin:<key>" for the rest). Each key of the tables is in exactly one row, or
# in NOT_IN_README.
README_ADMIN_ROWS = [
    ("管理画面: 地域運営組織（CSV・Excelの取込・書出しを含む）", ["organizations.organization"]),
    (
        "管理画面: 事例・分類（活動内容、財源、構成団体）・調査集計",
        ["organizations.casestudy", "organizations.activitycategory", "organizations.fundingcategory",
         "organizations.membertype", "organizations.surveytotal"],
    ),
    ("管理画面: 掲載内容の申請（審査は `/manage/` で）", ["organizations.listingrevision"]),
    ("管理画面: 都道府県・市区町村（マスタ）", ["municipalities.prefecture", "municipalities.municipality"]),
    ("管理画面: 施策", ["portal.policyprogram"]),
    ("管理画面: 個人情報の取扱い記録", ["portal.personaldataaccesslog"]),
    ("管理画面: 開示請求等の窓口（1件）", ["portal.privacyrequestdesk"]),
    ("管理画面: セミナー（参加者へのお知らせを含む）", ["seminars.seminar"]),
    ("管理画面: セミナーの申込（CSV・Excelの書出し、氏名・連絡先の訂正、電話で受け付けた申込の登録を含む）", ["seminars.registration"]),
    ("管理画面: セミナーのお知らせの記録", ["seminars.seminarmessage"]),
    ("管理画面: サミット・分科会・参加申込", ["summits.summit", "summits.breakouttrack", "summits.application"]),
    ("管理画面: サミットの参加者（CSV・Excelの書出しを含む）", ["summits.delegate"]),
    ("管理画面: ユーザー", ["auth.user"]),
    ("管理画面: グループ（役割）", ["auth.group"]),
    ("管理画面: 編集範囲", ["accounts.editorscope"]),
    ("管理画面: 招待の記録", ["accounts.invitation"]),
    ("管理画面: 認証アプリ（秘密鍵とQRコードは誰にも表示しない）", ["otp_totp.totpdevice"]),
    ("管理画面: アクセス試行（削除でロック解除）", ["axes.accessattempt"]),
    ("管理画面: アクセスログ", ["axes.accesslog"]),
    ("管理画面: アクセス失敗ログ", ["axes.accessfailurelog"]),
    ("管理画面: タスク（メールの送信待ち）", ["django_tasks_database.dbtaskresult"]),
]  # fmt: skip
README_PAGE_ROWS = [
    ("管理画面のトップ・パスワード変更（`/admin/`）", ["admin:index", "admin:password_change", "admin:password_change_done", "admin:jsi18n"]),
    (
        "ログイン・ログアウト・招待メールのリンク（`/accounts/login/`、`/admin/login/`、`/accounts/logout/`、`/accounts/invitations/<uid>/<token>/`）",
        ["accounts:login", "admin:login", "accounts:logout", "accounts:invitation_accept"],
    ),
    ("パスワードの再設定（`/accounts/password-reset/…`）", ["accounts:password_reset", "accounts:password_reset_done", "accounts:password_reset_complete"]),
    ("アカウント・認証アプリの設定・すべての端末からログアウト（`/accounts/`）", ["accounts:account", "accounts:two_factor", "accounts:logout_everywhere"]),
    ("自治体編集者の招待（`/accounts/invitations/`）", ["accounts:invitation_list", "accounts:invitation_create"]),
    ("掲載内容の管理・新規の申請（`/manage/`）", ["manage:dashboard", "manage:organization_create"]),
    ("A市の組織の変更の申請・履歴（`/manage/organizations/<id>/…`）", ["manage:organization_edit", "manage:organization_history"]),
    (
        "A市の申請の表示・編集・提出・修正（`/manage/revisions/<id>/…`）",
        ["manage:revision_detail", "manage:revision_edit", "manage:revision_submit", "manage:revision_revise"],
    ),
    (
        "審査: 審査待ち・承認・差戻し・版の復元（`/manage/review/` ほか）",
        ["manage:review_queue", "manage:revision_approve", "manage:revision_return", "manage:organization_restore"],
    ),
    ("セミナーの受付（`/seminars/<slug>/checkin/`、受付票のQR）", ["seminars:checkin", "seminars:checkin_counts", "seminars:checkin_registration"]),
    ("サミットの事務局ページ（`/summits/<slug>/staff/…`: 参加状況、CSV・Excel、名札）", ["summits:staff_overview", "summits:staff_export", "summits:staff_name_cards"]),
]  # fmt: skip
# In the matrix but not in the README: plumbing, or answers a row cannot say in one word.
NOT_IN_README = {
    "admin:autocomplete",  # the search of a form's select (its answers above)
    "admin:view_on_site",  # a redirect to the public page of a row
    "admin:(?P<url>.*)$",  # unknown admin addresses
    "admin:logout",  # the POST of the logout button
    "accounts:login_code",  # the code step, reached from the password step only
    "accounts:password_reset_confirm",  # the mailed link: its holder sets a password (tests/accounts/test_password_reset.py)
} | {f"admin:{key}" for key in ADMIN_SITE if key.startswith("app_list:")}  # an app's index

OPERATIONS = {CHANGELIST: "閲覧", ADD: "追加", CHANGE: "変更", DELETE: "削除"}
EXTRA_OPERATIONS = {
    "import/": "取込", "export/": "書出し", "<int:seminar_id>/message/": "お知らせの送信", "<id>/password/": "パスワードの設定",
    "<path:object_id>/correct/": "訂正", "phone/": "電話受付",
}  # fmt: skip
# Routes that add no word: the second step of an import, views no role is shown.
SILENT_ROUTES = {HISTORY, OLD_CHANGE, "process_import/", "<int:pk>/config/", "<int:pk>/qrcode/"}


def _admin_cell(routes: dict[str, Entry], role: str) -> str:
    answers = {route: getattr(entry.get, role) for route, entry in routes.items()}
    if all(answer == ADMIN_LOGIN for answer in answers.values()):
        return "ログイン画面へ"
    unknown = set(answers) - set(OPERATIONS) - set(EXTRA_OPERATIONS) - SILENT_ROUTES
    assert unknown == set(), f"no README word for the admin routes {unknown}"
    words = [word for route, word in OPERATIONS.items() if answers[route] in (200, EDITABLE)]
    if answers[CHANGE] in (READ_ONLY, FIELDS_READ_ONLY) and "閲覧" not in words:
        words.insert(0, "閲覧")
    words += [word for route, word in EXTRA_OPERATIONS.items() if answers.get(route) == 200]
    if not words:
        refusals = {answer for route, answer in answers.items() if route not in SILENT_ROUTES}
        assert refusals <= {403, 405}, f"no README word for {refusals}"
        return "403"
    return "・".join(words)


def _page_cell(entry: Entry, role: str) -> str:
    # A POST-only view is described by its POST.
    answer = getattr((entry.post or entry.get), role)
    if answer == 403:
        return "403"
    if isinstance(answer, Redirect) and answer.to.startswith(("/admin/login/?next=", "/accounts/login/?next=")):
        return "ログイン画面へ"
    assert answer == 200 or isinstance(answer, Redirect), f"no README word for {answer}"
    return "可"


def _row(label: str, cells_per_key: list[list[str]]) -> list[str]:
    assert all(cells == cells_per_key[0] for cells in cells_per_key), f"README row {label!r} mixes {cells_per_key}"
    return [label, *cells_per_key[0]]


def readme_rows_from_the_matrix() -> list[list[str]]:
    rows = [
        _row(label, [[_admin_cell(ADMIN_MODELS[model], role) for role in ROLES] for model in models])
        for label, models in README_ADMIN_ROWS
    ]
    entries = {f"admin:{key}": entry for key, entry in ADMIN_SITE.items()} | PAGES
    unknown = sorted(key for _label, keys in README_PAGE_ROWS for key in keys if key not in entries)
    assert unknown == [], f"README rows name keys without an entry: {unknown}"
    rows += [
        _row(label, [[_page_cell(entries[key], role) for role in ROLES] for key in keys]) for label, keys in README_PAGE_ROWS
    ]
    return rows


def readme_roles_table() -> list[list[str]]:
    """The rows of the first table under "## Roles" in README.md, cells stripped."""
    text = README.read_text(encoding="utf-8")
    assert "\n## Roles\n" in text, "README.md has no Roles section"
    section = text.split("\n## Roles\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines if not line.startswith("| ---")]


def test_every_table_key_is_in_one_readme_row():
    in_rows = [model for _label, models in README_ADMIN_ROWS for model in models] + [
        key for _label, keys in README_PAGE_ROWS for key in keys
    ]
    every_key = set(ADMIN_MODELS) | {f"admin:{key}" for key in ADMIN_SITE} | set(PAGES)

    twice = sorted(key for key in set(in_rows) if in_rows.count(key) > 1)
    left_out = sorted(every_key - set(in_rows) - NOT_IN_README)
    unknown = sorted((set(in_rows) | NOT_IN_README) - every_key)

    assert twice == [], f"keys in two README rows: {twice}"
    assert left_out == [], f"keys in no README row (add them to one, or to NOT_IN_README): {left_out}"
    assert unknown == [], f"README rows name keys without an entry: {unknown}"


def test_readme_roles_table_matches_the_matrix():
    table = readme_roles_table()

    assert table[0] == list(COLUMNS)
    assert table[1:] == readme_rows_from_the_matrix()
