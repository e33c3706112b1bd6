"""Password reset by mail (accounts.views.PasswordReset*View, accounts.mails, accounts.services)."""

import datetime as dt
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks_db.models import DBTaskResult

from accounts import services
from accounts.models import AccountSecurity
from accounts.tokens import password_reset_lifetime
from portal.logging import redact_tokens
from tests.clients import PortalClient
from tests.portal.html import find_all, texts

from .conftest import PASSWORD, current_code, make_totp_device, make_user

NEW_PASSWORD = "kesennuma-harbor-2025"
RESET = "/accounts/password-reset/"
SENT = "/accounts/password-reset/sent/"
COMPLETE = "/accounts/password-reset/done/"
LINK = re.compile(r"http://testserver(/accounts/password-reset/[^/\s]+/r/[^/\s]+/)")
OTHER_ADDRESS = "192.0.2.20"


def _request(client, email: str, **extra):
    return client.post(RESET, {"email": email}, **extra)


def _queued_resets() -> list[int]:
    rows = DBTaskResult.objects.filter(args_kwargs__args__0="accounts.password_reset").order_by("enqueued_at")
    return [row.args_kwargs["args"][1] for row in rows]


def _link_from(mail) -> str:
    return LINK.search(mail.body).group(1)


def _set_password_path(link: str) -> str:
    return link.rsplit("/r/", 1)[0] + "/r/set-password/"


def _reset_by_link(browser, link: str, password: str = NEW_PASSWORD):
    opened = browser.get(link)
    form = browser.get(opened["Location"])
    done = browser.post(opened["Location"], {"new_password1": password, "new_password2": password})
    return opened, form, done


def _login(browser, username: str, password: str):
    return browser.post(reverse("accounts:login"), {"username": username, "password": password})


def _uid(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


# ---------------------------------------------------------------- the login pages link here


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_login_pages_link_to_the_password_reset(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert [link.text for link in find_all(response.content, "a", href=RESET)] == ["パスワードをお忘れの方"]


@pytest.mark.django_db
def test_password_reset_form_says_how_long_the_link_works(client):
    response = client.get(RESET)

    assert response.status_code == 200
    assert texts(response.content, "h1") == ["パスワードの再設定"]
    assert "リンクの有効期限は、メールの送信から1時間です。" in texts(response.content, "p")
    assert [field.attrs["name"] for field in find_all(response.content, "input", type="email")] == ["email"]


def test_password_reset_timeout_is_one_hour_and_said_in_words(settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    assert password_reset_lifetime() == "1時間"
    settings.PASSWORD_RESET_TIMEOUT = 30 * 60
    assert password_reset_lifetime() == "30分"


# ---------------------------------------------------------------- the mail


@pytest.mark.django_db(transaction=True)  # the worker commits and reconnects, as in production
def test_password_reset_mail_is_plain_text_with_the_link(client, city_editor, run_queued_tasks, mailoutbox):
    response = _request(client, "  Nagano-City@Example.JP ")
    run_queued_tasks()

    assert response.status_code == 302
    assert response["Location"] == SENT
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    link = _link_from(mail)
    assert mail.to == ["nagano-city@example.jp"]
    assert mail.subject == "【地域運営組織ポータル】パスワードの再設定"
    assert mail.content_subtype == "plain"
    assert getattr(mail, "alternatives", []) == []
    assert mail.attachments == []
    assert mail.body.splitlines() == [
        "地域運営組織ポータルのパスワードの再設定を受け付けました。",
        "",
        "■ ユーザー名: nagano-city",
        "■ リンクの有効期限: このメールの送信から1時間",
        "",
        "次のリンクを開き、新しいパスワードを設定してください（1回だけ使えます）:",
        f"http://testserver{link}",
        "",
        "パスワードを再設定すると、ほかの端末やブラウザでのログインはすべて終了します。",
        "2段階認証を設定している方は、新しいパスワードでログインした後、これまでどおり認証アプリの確認コードを入力してください。",
        "リンクの有効期限が切れた場合は、ログインページの「パスワードをお忘れの方」から、もう一度お申し込みください。",
        "",
        "このメールに心当たりがない場合は、リンクを開かずに破棄してください。パスワードは変更されません。",
        "",
        "総務省 地域力創造グループ 地域振興室",
        "http://testserver",
    ]
    assert link.startswith(f"/accounts/password-reset/{_uid(city_editor)}/r/")


def test_password_reset_link_token_is_redacted_from_logs():
    path = "/accounts/password-reset/MTI/r/cmzq8g-0f3c2b1a9e8d7c6b5a4f3e2d1c0b9a8f/set-password/"

    assert redact_tokens(f"GET {path} 302") == "GET /accounts/password-reset/MTI/r/[token]/set-password/ 302"


@pytest.mark.django_db
def test_password_reset_request_queues_the_mail_without_sending_it_in_the_request(client, city_editor, mailoutbox):
    response = _request(client, "nagano-city@example.jp")

    assert response.status_code == 302
    assert mailoutbox == []
    assert _queued_resets() == [city_editor.pk]


@pytest.mark.django_db
def test_password_reset_no_mail_for_unknown_disabled_or_passwordless_accounts_and_the_same_page(client, city_editor, ministry_user):
    make_user("retired", is_active=False)  # a disabled account, with a password
    make_user("invited", is_active=False, password=None)  # an invitation never accepted
    make_user("anonymized", password=None)  # sign-in turned off: an unusable password
    known = _request(client, "nagano-city@example.jp")
    known_page = client.get(known["Location"])

    others = [
        _request(PortalClient(), email)
        for email in ["nobody@example.jp", "retired@example.jp", "invited@example.jp", "anonymized@example.jp"]
    ]

    assert [(response.status_code, response["Location"]) for response in others] == [(302, SENT)] * 4
    pages = [PortalClient().get(response["Location"]) for response in others]
    assert all(page.content == known_page.content for page in pages)
    assert texts(known_page.content, "h1") == ["再設定のメールをご確認ください"]
    assert texts(known_page.content, "p")[:2] == [
        "入力したメールアドレスのアカウントがある場合は、パスワードを再設定するためのリンクをメールでお送りしました。"
        "メールのリンクを開き、新しいパスワードを設定してください。",
        "リンクの有効期限は、メールの送信から1時間です。期限が過ぎたら、もう一度お申し込みください。",
    ]
    assert _queued_resets() == [city_editor.pk]


@pytest.mark.django_db(transaction=True)
def test_password_reset_mail_is_skipped_for_an_account_disabled_before_it_was_sent(client, city_editor, run_queued_tasks, mailoutbox):
    _request(client, "nagano-city@example.jp")
    get_user_model().objects.filter(pk=city_editor.pk).update(is_active=False)

    run_queued_tasks()

    assert mailoutbox == []
    assert DBTaskResult.objects.get(args_kwargs__args__0="accounts.password_reset").return_value == "skipped"


@pytest.mark.django_db
def test_password_reset_bad_address_gets_a_japanese_message_next_to_the_field(client):
    response = _request(client, "not-an-address")

    assert response.status_code == 200
    assert _errors(response, "email") == ["メールアドレスの形式で入力してください（例：name@example.jp）。"]
    assert _queued_resets() == []


# ---------------------------------------------------------------- the whole flow


@pytest.mark.django_db(transaction=True)
def test_password_reset_full_flow_then_login_with_the_new_password(client, city_editor, run_queued_tasks, mailoutbox):
    _request(client, "nagano-city@example.jp")
    run_queued_tasks()
    link = _link_from(mailoutbox[0])
    browser = PortalClient()

    opened, form, done = _reset_by_link(browser, link)
    complete = browser.get(done["Location"])
    old_password = _login(PortalClient(), "nagano-city", PASSWORD)
    new_password = _login(browser, "nagano-city", NEW_PASSWORD)
    link_again = PortalClient().get(link)

    assert opened.status_code == 302
    assert opened["Location"] == _set_password_path(link)  # the token leaves the address
    assert form.status_code == 200
    assert texts(form.content, "h1") == ["新しいパスワードの設定"]
    assert done.status_code == 302
    assert done["Location"] == COMPLETE
    assert texts(complete.content, "h1") == ["パスワードを再設定しました"]
    assert old_password.status_code == 200
    assert new_password.status_code == 302
    assert new_password["Location"] == "/accounts/"
    assert link_again.status_code == 404
    assert texts(link_again.content, "h1") == ["再設定のリンクが使えません"]


@pytest.mark.django_db(transaction=True)
def test_password_reset_does_not_log_in(client, city_editor, run_queued_tasks, mailoutbox):
    _request(client, "nagano-city@example.jp")
    run_queued_tasks()
    browser = PortalClient()

    _opened, _form, done = _reset_by_link(browser, _link_from(mailoutbox[0]))
    account = browser.get("/accounts/")

    assert done["Location"] == COMPLETE
    assert SESSION_KEY not in browser.session
    assert account.status_code == 302
    assert account["Location"] == "/accounts/login/?next=/accounts/"


@pytest.mark.django_db(transaction=True)
def test_password_reset_of_staff_with_totp_still_asks_for_the_code(client, ministry_user, run_queued_tasks, mailoutbox):
    device = make_totp_device(ministry_user)
    elsewhere = PortalClient()
    elsewhere.force_login(ministry_user)
    _request(client, "honsho@example.jp")
    run_queued_tasks()
    browser = PortalClient()

    _opened, _form, done = _reset_by_link(browser, _link_from(mailoutbox[0]))
    password_step = _login(browser, "honsho", NEW_PASSWORD)
    after_password = browser.get("/accounts/")
    code_step = browser.post(reverse("accounts:login_code"), {"code": current_code(device)})
    other_session = elsewhere.get("/accounts/")

    assert done["Location"] == COMPLETE
    assert password_step.status_code == 302
    assert password_step["Location"] == "/accounts/login/code/"
    assert after_password["Location"] == "/accounts/login/?next=/accounts/"  # not logged in before the code
    assert code_step.status_code == 302
    assert code_step["Location"] == "/accounts/"
    assert browser.session[SESSION_KEY] == str(ministry_user.pk)
    # Every other session ended ("logout everywhere"'s epoch), and the reset is in the user's history.
    assert other_session.status_code == 302
    assert other_session["Location"] == "/accounts/login/?next=/accounts/"
    assert AccountSecurity.objects.get(user=ministry_user).session_epoch == 1
    entry = LogEntry.objects.get(object_id=str(ministry_user.pk))
    assert (entry.user_id, entry.action_flag, entry.change_message) == (
        ministry_user.pk, CHANGE, services.PASSWORD_RESET_LOG_MESSAGE
    )


@pytest.mark.django_db(transaction=True)
def test_password_reset_is_not_blocked_by_a_login_lockout_and_leaves_it(client, city_editor, run_queued_tasks, mailoutbox):
    for _ in range(5):
        _login(client, "nagano-city", "wrong-password")
    _request(client, "nagano-city@example.jp")
    run_queued_tasks()

    _opened, form, done = _reset_by_link(client, _link_from(mailoutbox[0]))
    login = _login(client, "nagano-city", NEW_PASSWORD)
    city_editor.refresh_from_db()

    assert form.status_code == 200
    assert done["Location"] == COMPLETE
    assert city_editor.check_password(NEW_PASSWORD)
    assert login.status_code == 429  # the lockout is left to run out (or to staff)
    assert texts(login.content, "h1") == ["ログインが一時的に制限されています"]


@pytest.mark.django_db(transaction=True)
def test_password_reset_new_password_is_checked_with_japanese_messages(client, city_editor, run_queued_tasks, mailoutbox):
    _request(client, "nagano-city@example.jp")
    run_queued_tasks()
    link = _link_from(mailoutbox[0])
    opened = client.get(link)

    short = client.post(opened["Location"], {"new_password1": "kq7#zp", "new_password2": "kq7#zp"})
    common = client.post(opened["Location"], {"new_password1": "password123", "new_password2": "password123"})
    mismatch = client.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    city_editor.refresh_from_db()

    assert (short.status_code, common.status_code, mismatch.status_code) == (200, 200, 200)
    assert _errors(short, "new_password2") == ["このパスワードは短すぎます。最低 10 文字以上必要です。"]
    assert _errors(common, "new_password2") == ["このパスワードは一般的すぎます。"]
    assert _errors(mismatch, "new_password2") == ["確認用パスワードが一致しません。"]
    assert city_editor.check_password(PASSWORD)


def _errors(response, field: str) -> list[str]:
    """The messages crispy-forms shows under the field (<span id="error_1_id_<field>">)."""
    pattern = re.compile(rf"error_\d+_id_{field}")
    return [" ".join(span.text.split()) for span in find_all(response.content, "span") if pattern.fullmatch(span.attrs.get("id") or "")]


# ---------------------------------------------------------------- links that do not work


@pytest.mark.django_db
def test_password_reset_expired_link_gets_the_helpful_page(client, city_editor):
    class TwoHoursAgo(PasswordResetTokenGenerator):
        def _now(self):
            return dt.datetime.now() - dt.timedelta(hours=2)

    link = reverse("accounts:password_reset_confirm", kwargs={"uidb64": _uid(city_editor), "token": TwoHoursAgo().make_token(city_editor)})

    response = client.get(link)

    assert response.status_code == 404
    assert texts(response.content, "h1") == ["再設定のリンクが使えません"]
    items = texts(response.content, "li")
    first = "リンクの有効期限は、メールの送信から1時間です。期限が過ぎた場合は、もう一度お申し込みください。 再設定のメールをもう一度申し込む"
    assert items[items.index(first) :][:3] == [
        first,
        "このリンクでパスワードを再設定済みの方は、新しいパスワードでログインしてください。 ログインページへ",
        "メールのリンクが途中で改行されている場合は、リンクの全体をブラウザのアドレス欄に貼り付けてください。",
    ]
    assert [a.text for a in find_all(response.content, "a", href=RESET)] == ["再設定のメールをもう一度申し込む"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password-reset/MQ/r/abc-def/",
        "/accounts/password-reset/!!!/r/cmzq8g-0f3c2b1a9e8d7c6b5a4f3e2d1c0b9a8f/",
        "/accounts/password-reset/OTk5OTk5/r/set-password/",
    ],
)
def test_password_reset_invalid_link_gets_the_helpful_page(client, city_editor, path):
    response = client.get(path)
    post = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    city_editor.refresh_from_db()

    assert (response.status_code, post.status_code) == (404, 404)
    assert texts(response.content, "h1") == ["再設定のリンクが使えません"]
    assert city_editor.check_password(PASSWORD)


# ---------------------------------------------------------------- rate limits and CSRF


@pytest.mark.django_db
def test_password_reset_is_rate_limited_per_client_address(client, city_editor, settings):
    settings.RATELIMIT_PASSWORD_RESET = "2/h"

    first = _request(client, "a@example.jp")
    second = _request(client, "b@example.jp")
    third = _request(client, "nagano-city@example.jp")
    elsewhere = _request(PortalClient(), "nagano-city@example.jp", REMOTE_ADDR=OTHER_ADDRESS)

    assert (first.status_code, second.status_code) == (302, 302)
    assert third.status_code == 429
    assert 0 < int(third["Retry-After"]) <= 3600
    assert "no-cache" in third["Cache-Control"]
    assert texts(third.content, "h1") == ["しばらくお待ちください"]
    assert texts(third.content, "p")[0] == (
        "短い時間に、同じ接続元からパスワード再設定の申込みが続きました。今回の申込みは受け付けていません（メールは送られていません）。"
    )
    assert elsewhere.status_code == 302
    assert _queued_resets() == [city_editor.pk]  # from the other address only


@pytest.mark.django_db
def test_password_reset_is_rate_limited_per_address_typed_in(city_editor, settings):
    settings.RATELIMIT_PASSWORD_RESET_EMAIL = "2/h"
    addresses = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]

    answers = [_request(PortalClient(), "nagano-city@example.jp", REMOTE_ADDR=address) for address in addresses[:2]]
    third = _request(PortalClient(), "NAGANO-CITY@example.jp", REMOTE_ADDR=addresses[2])
    unknown_third = [_request(PortalClient(), "nobody@example.jp", REMOTE_ADDR=address) for address in addresses[:3]]
    other_address = _request(PortalClient(), "someone@example.jp", REMOTE_ADDR=addresses[3])

    assert [answer.status_code for answer in answers] == [302, 302]
    assert third.status_code == 429
    # An address without an account is limited the same way: the 429 tells nothing.
    assert [answer.status_code for answer in unknown_third] == [302, 302, 429]
    assert texts(third.content, "p")[:2] == [
        "このメールアドレスについて、短い時間にパスワード再設定の申込みが続きました。今回の申込みは受け付けていません（メールは送られていません）。",
        "先にお申し込みいただいた再設定のメールが届いていないか、迷惑メールのフォルダも含めて確かめてください。届いたメールのリンクは、有効期限内ならそのまま使えます。",
    ]
    assert texts(unknown_third[2].content, "p")[:2] == texts(third.content, "p")[:2]
    assert other_address.status_code == 302
    assert _queued_resets() == [city_editor.pk, city_editor.pk]


@pytest.mark.django_db
def test_password_reset_request_needs_the_csrf_token(city_editor):
    browser = PortalClient(enforce_csrf_checks=True)
    page = browser.get(RESET)

    forged = _request(browser, "nagano-city@example.jp")
    token = find_all(page.content, "input", name="csrfmiddlewaretoken")[0].attrs["value"]
    genuine = browser.post(RESET, {"email": "nagano-city@example.jp", "csrfmiddlewaretoken": token})

    assert forged.status_code == 403
    assert genuine.status_code == 302
    assert _queued_resets() == [city_editor.pk]


@pytest.mark.django_db(transaction=True)
def test_password_reset_new_password_needs_the_csrf_token(client, city_editor, run_queued_tasks, mailoutbox):
    _request(client, "nagano-city@example.jp")
    run_queued_tasks()
    browser = PortalClient(enforce_csrf_checks=True)
    opened = browser.get(_link_from(mailoutbox[0]))
    form = browser.get(opened["Location"])

    forged = browser.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    city_editor.refresh_from_db()
    unchanged = city_editor.check_password(PASSWORD)
    token = find_all(form.content, "input", name="csrfmiddlewaretoken")[0].attrs["value"]
    genuine = browser.post(
        opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "csrfmiddlewaretoken": token}
    )
    city_editor.refresh_from_db()

    assert forged.status_code == 403
    assert unchanged is True
    assert genuine["Location"] == COMPLETE
    assert city_editor.check_password(NEW_PASSWORD)
