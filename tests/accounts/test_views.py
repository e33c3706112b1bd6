import datetime as dt
import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.mails import invitation_url
from accounts.models import Invitation
from accounts.sessions import LAST_SEEN_KEY, LOGIN_AT_KEY
from tests.clients import PortalClient
from tests.portal.html import find_all, texts

from .conftest import PASSWORD, current_code, make_totp_device

LINK = re.compile(r"http://testserver(/accounts/invitations/[^/\s]+/[^/\s]+/)")


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


# ---------------------------------------------------------------- invitations


@pytest.mark.django_db
def test_invitation_pages_are_for_ministry_staff_only(client, event_user, city_editor):
    anonymous = client.get(reverse("accounts:invitation_create"))
    client.force_login(event_user)
    event = client.get(reverse("accounts:invitation_create"))
    client.force_login(city_editor)
    editor = client.get(reverse("accounts:invitation_create"))
    editor_post = client.post(reverse("accounts:invitation_create"), {"email": "x@example.jp", "prefecture": "20"})

    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accounts/login/?next=/accounts/invitations/new/"
    assert (event.status_code, editor.status_code, editor_post.status_code) == (403, 403, 403)
    assert Invitation.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # the worker commits and reconnects, as in production
def test_invitation_happy_path_from_the_staff_page_to_a_logged_in_editor(client, ministry_user, places, run_queued_tasks, mailoutbox):
    client.force_login(ministry_user)
    sent = client.post(
        reverse("accounts:invitation_create"),
        {"email": "Tanaka@City.Nagano.lg.jp", "prefecture": "20", "municipality_code": "202011"},
    )
    run_queued_tasks()
    editor_browser = PortalClient()

    link = LINK.search(mailoutbox[0].body).group(1)
    form_page = editor_browser.get(link)
    accepted = editor_browser.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    account_page = editor_browser.get(reverse("accounts:account"))

    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/invitations/"
    assert [message.to for message in mailoutbox] == [["tanaka@city.nagano.lg.jp"]]
    assert mailoutbox[0].subject == "【地域運営組織ポータル】編集者アカウントへのご招待"
    assert "■ 編集できる地域: 長野県長野市" in mailoutbox[0].body
    assert form_page.status_code == 200
    assert texts(form_page.content, "h1") == ["パスワードの設定"]
    assert accepted.status_code == 302
    assert accepted["Location"] == "/accounts/"
    assert texts(account_page.content, "dd")[:2] == ["tanaka@city.nagano.lg.jp", "長野県長野市"]
    user = Invitation.objects.get().user
    assert (user.is_active, user.check_password(PASSWORD)) == (True, True)
    assert editor_browser.session[SESSION_KEY] == str(user.pk)


@pytest.mark.django_db
def test_invitation_password_must_pass_the_validators(client, ministry_user, places):
    invitation = services.invitation_create(invited_by=ministry_user, email="a@example.jp", municipality=places["長野市"])
    link = _path(invitation_url(invitation))

    response = client.post(link, {"new_password1": "12345678", "new_password2": "12345678"})

    assert response.status_code == 200
    assert "このパスワードは短すぎます。最低 10 文字以上必要です。" in texts(response.content, "li") + texts(response.content, "span") + texts(response.content, "strong")
    invitation.user.refresh_from_db()
    assert invitation.user.is_active is False


@pytest.mark.django_db
def test_used_invitation_link_shows_the_helpful_page(client, ministry_user, places):
    invitation = services.invitation_create(invited_by=ministry_user, email="a@example.jp", municipality=places["長野市"])
    link = _path(invitation_url(invitation))
    client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    client.logout()

    again = client.get(link)
    again_post = PortalClient().post(link, {"new_password1": "other-password-456", "new_password2": "other-password-456"})

    assert again.status_code == 404
    assert texts(again.content, "h1") == ["招待リンクが使えません"]
    assert again_post.status_code == 404
    invitation.user.refresh_from_db()
    assert invitation.user.check_password(PASSWORD) is True


@pytest.mark.django_db
def test_expired_invitation_link_says_so(client, ministry_user, places):
    invitation = services.invitation_create(invited_by=ministry_user, email="a@example.jp", municipality=places["長野市"])
    link = _path(invitation_url(invitation))
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    response = client.get(link)

    assert response.status_code == 410
    assert texts(response.content, "h1") == ["招待リンクの有効期限が切れています"]


@pytest.mark.django_db
def test_wrong_invitation_token_shows_the_helpful_page(client, ministry_user, places):
    invitation = services.invitation_create(invited_by=ministry_user, email="a@example.jp", municipality=places["長野市"])
    link = _path(invitation_url(invitation))
    uid, token = link.strip("/").split("/")[-2:]
    wrong = reverse("accounts:invitation_accept", kwargs={"uidb64": uid, "token": ("B" if token[0] != "B" else "C") + token[1:]})

    response = client.get(wrong)

    assert response.status_code == 404
    assert texts(response.content, "h1") == ["招待リンクが使えません"]


@pytest.mark.django_db(transaction=True)  # the worker commits and reconnects, as in production
def test_invitation_mail_of_a_replaced_invitation_is_not_sent(ministry_user, places, run_queued_tasks, mailoutbox):
    services.invitation_create(invited_by=ministry_user, email="a@example.jp", municipality=places["長野市"])
    latest = services.invitation_create(invited_by=ministry_user, email="a@example.jp", municipality=places["松本市"])

    run_queued_tasks()

    assert len(mailoutbox) == 1
    assert LINK.search(mailoutbox[0].body).group(1) == _path(invitation_url(latest))


@pytest.mark.django_db
def test_invitation_list_shows_each_invitation_status(client, ministry_user, places):
    accepted = services.invitation_create(invited_by=ministry_user, email="done@example.jp", municipality=places["長野市"])
    services.invitation_accept(invitation=accepted, password=PASSWORD)
    expired = services.invitation_create(invited_by=ministry_user, email="late@example.jp", prefecture=places["長野県"])
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    services.invitation_create(invited_by=ministry_user, email="again@example.jp", municipality=places["松本市"])
    services.invitation_create(invited_by=ministry_user, email="again@example.jp", municipality=places["松本市"])
    client.force_login(ministry_user)

    response = client.get(reverse("accounts:invitation_list"))

    cells = texts(response.content, "td")
    rows = [cells[start : start + 5] for start in range(0, len(cells), 5)]
    assert [(row[0], row[1], row[4]) for row in rows] == [
        ("again@example.jp", "長野県松本市", "未承諾"),
        ("again@example.jp", "長野県松本市", "再招待により無効"),
        ("late@example.jp", "長野県（全域）", "期限切れ"),
        ("done@example.jp", "長野県長野市", "承諾済み"),
    ]


@pytest.mark.django_db
def test_invitation_form_refuses_a_municipality_outside_the_prefecture(client, ministry_user, places):
    client.force_login(ministry_user)

    response = client.post(
        reverse("accounts:invitation_create"), {"email": "a@example.jp", "prefecture": "20", "municipality_code": "342149"}
    )

    assert response.status_code == 200
    assert "この市区町村は選択した都道府県にありません。" in response.content.decode()
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3])
def test_invitation_list_costs_a_fixed_number_of_queries(client, ministry_user, places, rows, django_assert_num_queries):
    for number in range(rows):
        services.invitation_create(invited_by=ministry_user, email=f"p{number}@example.jp", municipality=places["長野市"])
    client.force_login(ministry_user)

    # session, user, session epoch, two-factor device, groups (permission), the invitations
    with django_assert_num_queries(6):
        response = client.get(reverse("accounts:invitation_list"))

    assert len(find_all(response.content, "tr")) == rows + 1


# ---------------------------------------------------------------- login: password, then code


def _login(client, username, password=PASSWORD, next_url="/admin/", url=None):
    return client.post(url or reverse("accounts:login"), {"username": username, "password": password, "next": next_url})


@pytest.mark.django_db
def test_login_without_a_device_is_one_step(client, ministry_user):
    response = _login(client, "honsho")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.session[SESSION_KEY] == str(ministry_user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["foo", "admin:index", "https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_login_with_a_next_that_is_not_a_path_on_this_site_goes_to_the_account_page(client, city_editor, next_url):
    response = _login(client, "nagano-city", next_url=next_url)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/"


@pytest.mark.django_db
def test_code_step_with_a_bare_word_next_goes_to_the_account_page(client, ministry_user):
    device = make_totp_device(ministry_user)
    _login(client, "honsho", next_url="foo")

    response = client.post(reverse("accounts:login_code") + "?next=foo", {"code": current_code(device), "next": "foo"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/"


@pytest.mark.django_db
def test_verified_session_on_the_code_step_with_a_bare_word_next_goes_to_the_account_page(client, ministry_user):
    client.force_login(ministry_user)

    response = client.get(reverse("accounts:login_code") + "?next=foo")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/"


@pytest.mark.django_db
def test_logout_by_get_asks_first_and_keeps_the_session(client, city_editor):
    client.force_login(city_editor)

    page = client.get(reverse("accounts:logout"))

    assert page.status_code == 200
    assert texts(page.content, "h1") == ["ログアウト"]
    assert [form.attrs["action"] for form in find_all(page.content, "form", method="post")] == ["/accounts/logout/"]
    assert client.session[SESSION_KEY] == str(city_editor.pk)


@pytest.mark.django_db
def test_logout_by_get_when_logged_out_says_so(client):
    page = client.get(reverse("accounts:logout"))

    assert page.status_code == 200
    assert texts(page.content, "p", role="status") == ["ログアウトしています。"]


@pytest.mark.django_db
def test_logout_by_post_ends_the_session_and_goes_home(client, city_editor):
    client.force_login(city_editor)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_login_with_a_device_asks_for_the_code_before_logging_in(client, ministry_user, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows down the try after a wrong code; not under test here
    device = make_totp_device(ministry_user)

    after_password = _login(client, "honsho")
    not_yet = client.get("/admin/")
    wrong = client.post(reverse("accounts:login_code"), {"code": "000000" if current_code(device) != "000000" else "111111"})
    right = client.post(reverse("accounts:login_code"), {"code": current_code(device)})
    admin = client.get("/admin/")

    assert after_password.status_code == 302
    assert after_password["Location"] == "/accounts/login/code/"
    assert not_yet.status_code == 302
    assert not_yet["Location"].startswith("/admin/login/")
    assert wrong.status_code == 200
    assert "確認コードが正しくありません。時刻のずれがないか確かめ、新しいコードを入力してください。" in wrong.content.decode()
    assert right.status_code == 302
    assert right["Location"] == "/admin/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert admin.status_code == 200


@pytest.mark.django_db
def test_admin_login_url_is_the_two_step_login(client, ministry_user):
    make_totp_device(ministry_user)

    response = _login(client, "honsho", url=reverse("admin:login"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/"
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_code_step_without_a_password_step_goes_back_to_login(client, ministry_user):
    response = client.post(reverse("accounts:login_code"), {"code": "123456"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_code_step_expires_after_five_minutes(client, ministry_user):
    device = make_totp_device(ministry_user)
    _login(client, "honsho")
    session = client.session
    session["accounts_pending_login"]["at"] -= 301
    session.save()

    response = client.post(reverse("accounts:login_code"), {"code": current_code(device)})

    assert response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_five_wrong_codes_end_the_half_finished_login(client, ministry_user):
    device = make_totp_device(ministry_user)
    _login(client, "honsho")
    wrong = "000000" if current_code(device) != "000000" else "111111"

    responses = [client.post(reverse("accounts:login_code"), {"code": wrong}) for _ in range(5)]
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    after = client.post(reverse("accounts:login_code"), {"code": current_code(device)})

    assert [response.status_code for response in responses] == [200, 200, 200, 200, 302]
    assert after["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session


# ---------------------------------------------------------------- two-factor enrollment and the admin


@pytest.mark.django_db
def test_enrollment_shows_qr_and_secret_and_confirms_with_a_code(client, ministry_user):
    client.force_login(ministry_user, verified=False)

    page = client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=ministry_user)
    confirmed = client.post(reverse("accounts:two_factor"), {"code": current_code(device)})
    admin = client.get("/admin/")

    images = [img.attrs["src"] for img in find_all(page.content, "img")]
    assert page.status_code == 200
    assert len(images) == 1 and images[0].startswith("data:image/svg+xml;base64,")
    secret = texts(page.content, "code")[0]
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", secret)
    assert device.config_url.startswith("otpauth://totp/")
    assert f"secret={secret.replace(' ', '')}" in device.config_url
    assert device.confirmed is False
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/accounts/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert admin.status_code == 200  # this session passed the code step while enrolling


@pytest.mark.django_db
def test_enrollment_with_a_wrong_code_stays_unconfirmed(client, ministry_user):
    client.force_login(ministry_user, verified=False)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=ministry_user)
    wrong = "000000" if current_code(device) != "000000" else "111111"

    response = client.post(reverse("accounts:two_factor"), {"code": wrong})

    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed is False


@pytest.mark.django_db
def test_admin_requires_the_code_step_from_a_user_with_a_device(client, ministry_user):
    device = make_totp_device(ministry_user)
    client.force_login(ministry_user, verified=False)  # a session that never passed the code step

    refused = client.get("/admin/")
    client.post(refused["Location"], {"code": current_code(device)})
    admin = client.get("/admin/")

    assert refused.status_code == 302
    assert refused["Location"] == "/accounts/login/code/?next=/admin/"
    assert admin.status_code == 200


@pytest.mark.django_db
def test_replacing_a_device_needs_a_verified_session(client, ministry_user):
    make_totp_device(ministry_user)
    client.force_login(ministry_user, verified=False)

    response = client.get(reverse("accounts:two_factor") + "?replace=1")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/?next=/accounts/two-factor/"
    assert TOTPDevice.objects.filter(user=ministry_user).count() == 1


@pytest.mark.django_db
def test_confirming_a_new_device_removes_the_old_one(client, ministry_user):
    old = make_totp_device(ministry_user)
    client.force_login(ministry_user, verified=False)
    client.post(reverse("accounts:login_code"), {"code": current_code(old)})

    client.get(reverse("accounts:two_factor") + "?replace=1")
    new = TOTPDevice.objects.get(user=ministry_user, confirmed=False)
    client.post(reverse("accounts:two_factor"), {"code": current_code(new)})

    assert list(TOTPDevice.objects.filter(user=ministry_user).values_list("pk", "confirmed")) == [(new.pk, True)]


@pytest.mark.django_db
def test_required_staff_2fa_sends_staff_without_a_device_to_enroll(client, ministry_user, city_editor, settings):
    settings.REQUIRE_STAFF_2FA = True
    client.force_login(ministry_user, verified=False)
    staff = client.get("/admin/")
    editor_browser = PortalClient()
    editor_browser.force_login(city_editor)
    editor = editor_browser.get(reverse("accounts:account"))

    assert staff.status_code == 302
    assert staff["Location"] == "/accounts/two-factor/?next=/admin/"
    assert editor.status_code == 200


@pytest.mark.django_db
def test_without_the_requirement_staff_without_a_device_reach_the_admin(client, ministry_user, settings):
    settings.REQUIRE_STAFF_2FA = False
    client.force_login(ministry_user, verified=False)

    assert client.get("/admin/").status_code == 200


# ---------------------------------------------------------------- sessions


@pytest.mark.django_db
def test_logout_everywhere_ends_the_other_sessions_of_the_user(city_editor, event_user):
    laptop, phone, colleague = PortalClient(), PortalClient(), PortalClient()
    laptop.force_login(city_editor)
    phone.force_login(city_editor)
    colleague.force_login(event_user)

    pressed = laptop.post(reverse("accounts:logout_everywhere"))
    phone_after = phone.get(reverse("accounts:account"))
    laptop_after = laptop.get(reverse("accounts:account"))
    colleague_after = colleague.get(reverse("accounts:account"))

    assert pressed.status_code == 302
    assert phone_after.status_code == 302
    assert phone_after["Location"] == "/accounts/login/?next=/accounts/"
    assert SESSION_KEY not in phone.session
    assert laptop_after.status_code == 302
    assert colleague_after.status_code == 200


@pytest.mark.django_db
def test_a_new_login_after_logout_everywhere_works(client, city_editor):
    client.force_login(city_editor)
    client.post(reverse("accounts:logout_everywhere"))

    _login(client, "nagano-city", next_url="/accounts/")

    assert client.get(reverse("accounts:account")).status_code == 200


@pytest.mark.django_db
def test_logout_everywhere_is_post_only(client, city_editor):
    client.force_login(city_editor)

    response = client.get(reverse("accounts:logout_everywhere"))

    assert response.status_code == 405
    assert client.get(reverse("accounts:account")).status_code == 200


@pytest.mark.django_db
def test_idle_session_ends(client, city_editor, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    client.force_login(city_editor)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 1801
    session.save()

    response = client.get(reverse("accounts:account"))

    assert response.status_code == 302
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_active_session_ends_after_the_absolute_age(client, city_editor, settings):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    client.force_login(city_editor)
    session = client.session
    session[LOGIN_AT_KEY] = int(time.time()) - 8 * 3600 - 1
    session.save()

    response = client.get(reverse("accounts:account"))

    assert response.status_code == 302
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_recent_session_goes_on_and_records_activity(client, city_editor):
    client.force_login(city_editor)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 600
    session.save()

    response = client.get(reverse("accounts:account"))

    assert response.status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN_KEY] <= 1


@pytest.mark.django_db
def test_session_from_before_the_epoch_existed_counts_as_epoch_zero(client, city_editor):
    client.force_login(city_editor)
    session = client.session
    del session["accounts_session_epoch"]
    session.save()

    assert client.get(reverse("accounts:account")).status_code == 200
    services.sessions_end_everywhere(user=city_editor)
    assert client.get(reverse("accounts:account")).status_code == 302


# ---------------------------------------------------------------- pages


@pytest.mark.django_db
def test_login_page_renders_the_form(client):
    response = client.get(reverse("accounts:login") + "?next=/admin/")

    assert response.status_code == 200
    assert texts(response.content, "h1") == ["ログイン"]
    assert [element.attrs["name"] for element in find_all(response.content, "input") if element.attrs.get("type") != "submit"][-4:] == [
        "csrfmiddlewaretoken", "username", "password", "next",
    ]
    assert find_all(response.content, "input", name="next")[-1].attrs["value"] == "/admin/"


@pytest.mark.django_db
def test_login_ignores_a_next_url_on_another_site(client, city_editor):
    response = _login(client, "nagano-city", next_url="https://evil.example/")

    assert response["Location"] == "/accounts/"


@pytest.mark.django_db
def test_account_page_shows_scope_two_factor_and_the_staff_menu(client, ministry_user, prefecture_editor):
    client.force_login(prefecture_editor)
    editor_page = client.get(reverse("accounts:account"))
    client.force_login(ministry_user)
    staff_page = client.get(reverse("accounts:account"))

    assert texts(editor_page.content, "dd")[:3] == ["nagano-pref", "長野県内のすべての市区町村", "未設定 （設定する）"]
    assert "職員メニュー" not in texts(editor_page.content, "h2")
    assert [a.attrs["href"] for a in find_all(staff_page.content, "a") if a.attrs.get("href", "").startswith(("/admin/", "/accounts/inv"))] == [
        "/admin/", "/accounts/invitations/new/", "/accounts/invitations/",
        "/admin/",  # the footer's link to the admin, shown to every staff user
    ]


@pytest.mark.django_db
def test_ministry_staff_see_devices_in_the_admin_without_their_secret(client, ministry_user, city_editor):
    device = make_totp_device(city_editor)
    client.force_login(ministry_user)

    response = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))

    assert response.status_code == 200
    assert device.key not in response.content.decode()


@pytest.mark.django_db
def test_a_wrong_code_slows_down_the_next_try(client, ministry_user):
    device = make_totp_device(ministry_user)
    _login(client, "honsho")
    wrong = "000000" if current_code(device) != "000000" else "111111"

    client.post(reverse("accounts:login_code"), {"code": wrong})
    right_too_soon = client.post(reverse("accounts:login_code"), {"code": current_code(device)})

    assert right_too_soon.status_code == 200
    assert SESSION_KEY not in client.session


def test_invitation_links_are_redacted_from_logs():
    from portal.logging import redact_tokens

    line = 'GET /accounts/invitations/MTI/Zq3x-Yb8_kP0aLmN4Rt6UvW1cD2eF5gH7iJ9oQsTuVw/ HTTP/1.1" 200'

    assert redact_tokens(line) == 'GET /accounts/invitations/MTI/[token]/ HTTP/1.1" 200'
