import datetime as dt
import io
import re

import pytest
import zxingcpp
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from PIL import Image

from municipalities.models import Municipality
from seminars import services
from seminars.enums import AttendanceMode, RegistrationStatus
from seminars.models import Registration
from tests.clients import PortalClient
from tests.seminars.factories import NOW, make_municipality, make_registration, make_seminar

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "name": "山田 花子",
        "kana": "やまだ はなこ",
        "email": "hanako@example.jp",
        "email_confirm": "hanako@example.jp",
        "affiliation": "長野市役所",
        "category": "municipal_staff",
        "municipality": "",
        "mode": "venue",
        "joins_exchange": "on",
        "when_full": "waitlist",
        "accessibility_needs": "",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def field_errors(response, field: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(field, [])]


@pytest.fixture
def staff_client(db) -> PortalClient:
    user = User.objects.create_user("desk", password="x-very-long-password", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_registration"))
    client = PortalClient()
    client.force_login(user)
    return client


# ---------------------------------------------------------------- list and detail


def test_seminar_list_shows_upcoming_and_past(client):
    make_seminar(title="これからのセミナー")
    make_seminar(title="終わったセミナー", date=dt.date(2025, 9, 30), deadline=dt.date(2025, 9, 23))

    response = client.get("/seminars/")

    assert response.status_code == 200
    assert [s.title for s in response.context["upcoming"]] == ["これからのセミナー"]
    assert [s.title for s in response.context["past"]] == ["終わったセミナー"]


@pytest.mark.parametrize("rows", [1, 3])
def test_seminar_list_view_query_count_is_fixed(rows, client, django_assert_num_queries):
    for index in range(rows):
        seminar = make_seminar(date=dt.date(2027, 2, 5 + index))
        make_registration(seminar)
        make_seminar(date=dt.date(2025, 9, 1 + index), deadline=dt.date(2025, 8, 25))

    with django_assert_num_queries(2):
        response = client.get("/seminars/")

    assert response.status_code == 200


def test_seminar_list_marks_demo(client):
    make_seminar(title="練習用", is_demo=True)

    response = client.get("/seminars/")

    assert "デモ" in response.content.decode()


def test_seminar_detail_shows_full_venue_in_words(client):
    seminar = make_seminar(venue_capacity=1)
    make_registration(seminar)

    response = client.get(f"/seminars/{seminar.slug}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "満席" in html
    assert "オンライン参加またはキャンセル待ちで申し込めます" in html


def seats_block(html: str) -> list[str]:
    """The seat lines and the all-full note as a reader sees them (tags dropped, spaces collapsed)."""
    block = re.search(r'<ul class="list-unstyled mb-0 seminars-seats">.*?</ul>(\s*<p class="[^"]*seminars-seats-full">.*?</p>)?', html, re.S)
    parts = re.findall(r"<li>(.*?)</li>|<p [^>]*>(.*?)</p>", block.group(0), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", li or p).split()) for li, p in parts]


ALL_FULL_NOTE = "キャンセル待ちとしてのみお申し込みいただけます。キャンセルが出た場合は、お申し込み順に参加確定とし、メールでお知らせします。"


@pytest.mark.parametrize(
    ("fields", "taken", "lines"),
    [
        (
            {"venue_capacity": 1, "online_capacity": None},
            (1, 0),
            ["会場 ： 満席 オンライン参加またはキャンセル待ちで申し込めます", "オンライン ： 定員なし"],
        ),
        (
            {"venue_capacity": 1, "online_capacity": 2},
            (1, 2),
            ["会場 ： 満席", "オンライン ： 満席", f"会場・オンラインとも満席です。 {ALL_FULL_NOTE}"],
        ),
        (
            {"venue_capacity": 3, "online_capacity": 1},
            (1, 1),
            ["会場 ： 定員3名（残り2席）", "オンライン ： 満席 会場参加またはキャンセル待ちで申し込めます"],
        ),
        ({"venue_capacity": 1, "has_online": False}, (1, 0), ["会場 ： 満席", f"満席です。 {ALL_FULL_NOTE}"]),
        ({"has_venue": False, "online_capacity": 1}, (0, 1), ["オンライン ： 満席", f"満席です。 {ALL_FULL_NOTE}"]),
        ({"venue_capacity": None, "online_capacity": None}, (2, 2), ["会場 ： 定員は主催者にお問い合わせください", "オンライン ： 定員なし"]),
    ],
)
def test_seminar_detail_and_register_pages_say_what_a_full_mode_still_allows(client, fields, taken, lines):
    seminar = make_seminar(**fields)
    for _ in range(taken[0]):
        make_registration(seminar, mode=AttendanceMode.VENUE)
    for _ in range(taken[1]):
        make_registration(seminar, mode=AttendanceMode.ONLINE)

    detail = client.get(f"/seminars/{seminar.slug}/").content.decode()
    register = client.get(f"/seminars/{seminar.slug}/register/").content.decode()

    assert seats_block(detail) == lines
    assert seats_block(register) == lines


def test_register_page_with_both_modes_full_offers_only_the_waiting_list(client):
    seminar = make_seminar(venue_capacity=1, online_capacity=1)
    client.get(f"/seminars/{seminar.slug}/register/")  # the empty form with seats left is kept first
    make_registration(seminar, mode=AttendanceMode.VENUE)
    make_registration(seminar, mode=AttendanceMode.ONLINE)

    response = client.get(f"/seminars/{seminar.slug}/register/")
    detail = client.get(f"/seminars/{seminar.slug}/").content.decode()

    html = response.content.decode()
    assert re.findall(r'name="when_full" value="([^"]*)"', html) == ["waitlist"]
    assert "オンライン参加に切り替える" not in html
    assert "オンライン参加またはキャンセル待ち" not in html
    assert "会場・オンラインとも満席です。お申し込みはキャンセル待ちとしてのみ受け付けます。" in html
    assert 'value="キャンセル待ちに申し込む"' in html
    assert re.findall(r'class="btn btn-primary btn-lg" href="[^"]*">([^<]*)</a>', detail) == ["キャンセル待ちに申し込む"]


def test_register_post_with_both_modes_full_joins_the_waiting_list(client):
    seminar = make_seminar(venue_capacity=1, online_capacity=1)
    make_registration(seminar, mode=AttendanceMode.VENUE)
    make_registration(seminar, mode=AttendanceMode.ONLINE)

    response = client.post(f"/seminars/{seminar.slug}/register/", form_data(when_full="waitlist"))

    registration = Registration.objects.get(email="hanako@example.jp")
    assert response.status_code == 302
    assert (registration.mode, registration.status) == ("venue", "waitlisted")


def test_register_post_refused_when_both_full_shows_the_waiting_list_only(client):
    seminar = make_seminar(venue_capacity=1, online_capacity=1)
    make_registration(seminar, mode=AttendanceMode.VENUE)
    make_registration(seminar, mode=AttendanceMode.ONLINE)

    response = client.post(f"/seminars/{seminar.slug}/register/", form_data(when_full="nothing"))

    assert field_errors(response, "when_full") == ["会場参加は満席です。"]
    assert re.findall(r'name="when_full" value="([^"]*)"', response.content.decode()) == ["waitlist"]


def test_register_page_of_an_online_only_seminar_never_offers_online_instead(client):
    seminar = make_seminar(has_venue=False, online_capacity=10)

    html = client.get(f"/seminars/{seminar.slug}/register/").content.decode()

    assert re.findall(r'name="when_full" value="([^"]*)"', html) == ["waitlist", "nothing"]


def test_register_page_without_any_capacity_asks_nothing_about_full_and_registers(client):
    seminar = make_seminar(venue_capacity=None, online_capacity=None)

    page = client.get(f"/seminars/{seminar.slug}/register/").content.decode()
    response = client.post(f"/seminars/{seminar.slug}/register/", form_data(when_full=None))

    assert 'name="when_full"' not in page
    assert response.status_code == 302
    assert Registration.objects.get().status == RegistrationStatus.CONFIRMED


def test_registration_detail_change_section_does_not_invite_new_registrations(client):
    seminar = make_seminar(venue_capacity=1)
    make_registration(seminar)
    registration = make_registration(seminar, mode=AttendanceMode.ONLINE)

    html = client.get(f"/seminars/r/{registration.token}/").content.decode()

    assert seats_block(html) == ["会場 ： 満席", "オンライン ： 定員なし"]


def test_seminar_detail_unknown_capacity_asks_organizer(client):
    seminar = make_seminar(venue_capacity=None)

    response = client.get(f"/seminars/{seminar.slug}/")

    assert "定員は主催者にお問い合わせください" in response.content.decode()


def test_seminar_detail_unpublished_is_404(client):
    seminar = make_seminar(is_published=False)

    assert client.get(f"/seminars/{seminar.slug}/").status_code == 404


# ---------------------------------------------------------------- register


def test_register_get_renders_form_with_autocomplete_on_every_field(client):
    seminar = make_seminar()

    response = client.get(f"/seminars/{seminar.slug}/register/")

    html = response.content.decode()
    assert response.status_code == 200
    inputs = re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
    # HTML allows autocomplete only on fields that take typed text: not on radios or checkboxes.
    typed = [tag for tag in inputs if 'name="' in tag and not re.search(r'type="(hidden|submit|radio|checkbox)"', tag)]
    choices = [tag for tag in inputs if re.search(r'type="(radio|checkbox)"', tag)]
    assert typed and choices
    assert [tag for tag in typed if "autocomplete=" not in tag] == []
    assert [tag for tag in choices if "autocomplete=" in tag] == []
    assert 'autocomplete="email"' in html
    assert "個人情報" in html


def test_register_post_creates_and_redirects_to_token_page(client):
    seminar = make_seminar()
    municipality = make_municipality()

    response = client.post(f"/seminars/{seminar.slug}/register/?src=flyer", form_data(municipality=municipality.code))

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/seminars/r/{registration.token}/"
    assert (registration.mode, registration.status, registration.source) == ("venue", "confirmed", "flyer")
    assert registration.joins_exchange is True
    assert registration.municipality == municipality


def test_register_post_katakana_kana_is_stored_as_hiragana(client):
    seminar = make_seminar()

    client.post(f"/seminars/{seminar.slug}/register/", form_data(kana="ヤマダ　ハナコ"))

    assert Registration.objects.get().kana == "やまだ はなこ"


def test_register_post_email_mismatch_keeps_values_and_shows_japanese_error(client):
    seminar = make_seminar()

    response = client.post(f"/seminars/{seminar.slug}/register/", form_data(email_confirm="other@example.jp"))

    assert response.status_code == 200
    assert field_errors(response, "email_confirm") == ["確認用のメールアドレスが一致しません。"]
    assert 'value="山田 花子"' in response.content.decode()
    assert Registration.objects.count() == 0


def test_register_post_missing_fields_show_required_messages(client):
    seminar = make_seminar()

    response = client.post(f"/seminars/{seminar.slug}/register/", {})

    assert response.status_code == 200
    assert field_errors(response, "name") == ["氏名を入力してください。"]
    assert field_errors(response, "consent") == ["お申し込みには個人情報の取扱いへの同意が必要です。"]


def test_register_post_exchange_with_online_is_a_field_error(client):
    seminar = make_seminar()

    response = client.post(f"/seminars/{seminar.slug}/register/", form_data(mode="online"))

    assert field_errors(response, "joins_exchange") == ["意見交換会は会場参加の方のみ参加できます。"]


@pytest.mark.parametrize("mode", ["hall", "", "venue'--"])
def test_register_post_bad_mode_is_a_form_error_not_500(client, mode):
    seminar = make_seminar()

    response = client.post(f"/seminars/{seminar.slug}/register/", form_data(mode=mode))

    assert response.status_code == 200
    assert len(field_errors(response, "mode")) == 1


def test_register_post_mode_the_seminar_lacks_is_a_form_error(client):
    seminar = make_seminar(has_online=False)

    response = client.post(f"/seminars/{seminar.slug}/register/", form_data(mode="online", joins_exchange=None))

    assert response.status_code == 200
    assert len(field_errors(response, "mode")) == 1


def test_register_post_bad_kana_and_email(client):
    seminar = make_seminar()

    response = client.post(f"/seminars/{seminar.slug}/register/", form_data(kana="Yamada", email="not-an-address"))

    assert field_errors(response, "kana") == ["ふりがなは、ひらがなまたはカタカナで入力してください。"]
    assert field_errors(response, "email") == ["メールアドレスの形式で入力してください（例：name@example.jp）。"]


def test_register_post_oversized_is_400_not_500(client):
    seminar = make_seminar()

    response = client.post(f"/seminars/{seminar.slug}/register/", form_data(accessibility_needs="あ" * 3_000_000))

    assert response.status_code == 400


def test_register_post_without_csrf_is_403():
    seminar = make_seminar()
    client = PortalClient(enforce_csrf_checks=True)

    response = client.post(f"/seminars/{seminar.slug}/register/", form_data())

    assert response.status_code == 403
    assert Registration.objects.count() == 0


def test_register_full_without_waitlist_shows_error_next_to_choice(client):
    seminar = make_seminar(venue_capacity=1)
    make_registration(seminar)

    response = client.post(f"/seminars/{seminar.slug}/register/", form_data(when_full="nothing"))

    assert field_errors(response, "when_full") == ["会場参加は満席です。"]


def test_register_double_submit_from_same_browser_redirects_to_same_registration(client):
    seminar = make_seminar()

    first = client.post(f"/seminars/{seminar.slug}/register/", form_data())
    second = client.post(f"/seminars/{seminar.slug}/register/", form_data())

    assert Registration.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_register_same_email_from_another_browser_does_not_reveal_token(client):
    seminar = make_seminar()
    existing = make_registration(seminar, email="hanako@example.jp")

    response = client.post(f"/seminars/{seminar.slug}/register/", form_data())

    assert response.status_code == 200
    assert existing.token not in response.content.decode()
    assert "既にお申し込みを受け付けています" in response.content.decode()


def test_register_after_deadline_get_says_closed_and_post_refused(client):
    seminar = make_seminar(date=dt.date(2025, 9, 30), deadline=dt.date(2025, 9, 23))

    get = client.get(f"/seminars/{seminar.slug}/register/")
    post = client.post(f"/seminars/{seminar.slug}/register/", form_data())

    assert get.status_code == 200
    assert "このセミナーの受付は終了しました。" in get.content.decode()
    assert post.status_code == 403
    assert Registration.objects.count() == 0


def test_register_demo_is_labelled(client):
    seminar = make_seminar(is_demo=True)

    response = client.get(f"/seminars/{seminar.slug}/register/")

    assert "デモ：これは画面の確認用のセミナーです。実際には開催されません。" in response.content.decode()


# ---------------------------------------------------------------- token page


def test_registration_detail_shows_registration(client):
    registration = make_registration(make_seminar(), name="確認 太郎")

    response = client.get(f"/seminars/r/{registration.token}/")

    assert response.status_code == 200
    assert "確認 太郎" in response.content.decode()


def test_registration_detail_unknown_token_is_helpful_404(client):
    response = client.get("/seminars/r/" + "x" * 43 + "/")

    assert response.status_code == 404
    assert "お申し込みが見つかりません" in response.content.decode()


def test_registration_detail_cancelled_token_is_404_saying_cancelled(client):
    registration = make_registration(make_seminar(), status=RegistrationStatus.CANCELLED, cancelled_at=NOW)

    response = client.get(f"/seminars/r/{registration.token}/")

    assert response.status_code == 404
    assert "このお申し込みはキャンセル済みです" in response.content.decode()


def test_registration_detail_cancel_promotes_waiting(client):
    seminar = make_seminar(venue_capacity=1)
    registration = make_registration(seminar)
    waiting = make_registration(seminar, status=RegistrationStatus.WAITLISTED)

    response = client.post(f"/seminars/r/{registration.token}/", {"action": "cancel"})

    assert response.status_code == 302
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED


def test_registration_detail_change_mode(client):
    registration = make_registration(make_seminar())

    response = client.post(f"/seminars/r/{registration.token}/", {"action": "change_mode", "mode": "online"})

    assert response.status_code == 302
    assert Registration.objects.get(pk=registration.pk).mode == AttendanceMode.ONLINE


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        ({"mode": "online"}, "参加方法を変更しました。確認のメールをお送りします。"),
        ({"mode": "venue"}, "意見交換会への参加を変更しました。確認のメールをお送りします。"),
        ({"mode": "venue", "joins_exchange": "on"}, "変更はありません。"),
    ],
)
def test_registration_detail_change_says_what_was_changed(client, queued_mails, post, expected):
    registration = make_registration(make_seminar(), joins_exchange=True)

    response = client.post(f"/seminars/r/{registration.token}/", {"action": "change_mode", **post}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [expected]
    assert [kind for kind, _id in queued_mails()] == ([] if expected == "変更はありません。" else ["seminars.mode_changed"])


def test_registration_detail_change_to_full_mode_shows_message(client):
    seminar = make_seminar(venue_capacity=1)
    make_registration(seminar)
    registration = make_registration(seminar, mode=AttendanceMode.ONLINE)

    response = client.post(f"/seminars/r/{registration.token}/", {"action": "change_mode", "mode": "venue"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["会場参加は満席のため変更できません。"]


def test_registration_detail_unknown_action_is_400(client):
    registration = make_registration(make_seminar())

    response = client.post(f"/seminars/r/{registration.token}/", {"action": "delete"})

    assert response.status_code == 400


# ---------------------------------------------------------------- QR and flyer


def decode_qr(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_qr_png_decodes_to_absolute_register_url_with_flyer_source(client):
    seminar = make_seminar(slug="2025-nagano")

    response = client.get("/seminars/2025-nagano/qr.png")

    assert response["Content-Type"] == "image/png"
    assert decode_qr(response.content) == ["http://testserver/seminars/2025-nagano/register/?src=flyer"]
    assert seminar.slug == "2025-nagano"


def test_qr_svg_is_svg(client):
    make_seminar(slug="qr-svg")

    response = client.get("/seminars/qr-svg/qr.svg")

    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml") or b"<svg" in response.content[:200]


def test_flyer_has_both_sides_and_qr(client):
    seminar = make_seminar(slug="flyer-test", access_notes="会場の駐車場には限りがあります。")

    response = client.get("/seminars/flyer-test/flyer/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-label="表面"' in html and 'aria-label="裏面"' in html
    assert reverse("seminars:seminar_qr_svg", kwargs={"slug": seminar.slug}) in html
    assert "受付の締め切りは<strong>1/29</strong>（金）です。" in html
    assert "seminars-flyer.css" in html


def test_stable_public_paths():
    assert reverse("seminars:seminar_list") == "/seminars/"
    assert reverse("seminars:seminar_detail", kwargs={"slug": "a"}) == "/seminars/a/"
    assert reverse("seminars:register", kwargs={"slug": "a"}) == "/seminars/a/register/"
    assert reverse("seminars:registration_detail", kwargs={"token": "t"}) == "/seminars/r/t/"
    assert reverse("seminars:seminar_qr_svg", kwargs={"slug": "a"}) == "/seminars/a/qr.svg"
    assert reverse("seminars:seminar_qr_png", kwargs={"slug": "a"}) == "/seminars/a/qr.png"
    assert reverse("seminars:seminar_flyer", kwargs={"slug": "a"}) == "/seminars/a/flyer/"
    assert reverse("seminars:checkin", kwargs={"slug": "a"}) == "/seminars/a/checkin/"
    assert reverse("seminars:checkin_registration", kwargs={"token": "t"}) == "/seminars/checkin/t/"


# ---------------------------------------------------------------- check-in


def test_checkin_requires_staff_login(client):
    seminar = make_seminar()

    response = client.get(f"/seminars/{seminar.slug}/checkin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_checkin_staff_without_permission_is_403(client):
    user = User.objects.create_user("nobody", password="x-very-long-password", is_staff=True)
    client.force_login(user)

    response = client.get(f"/seminars/{make_seminar().slug}/checkin/")

    assert response.status_code == 403


def test_checkin_search_by_kana(staff_client):
    seminar = make_seminar()
    make_registration(seminar, name="高橋 花子", kana="たかはし はなこ")
    make_registration(seminar, name="鈴木 一郎", kana="すずき いちろう")

    response = staff_client.get(f"/seminars/{seminar.slug}/checkin/", {"q": "たかはし"})

    assert [r.name for r in response.context["results"]] == ["高橋 花子"]


def test_checkin_registration_scanned_get_does_not_check_in(staff_client):
    registration = make_registration(make_seminar())

    response = staff_client.get(f"/seminars/checkin/{registration.checkin_token}/")

    assert response.status_code == 200
    assert Registration.objects.get(pk=registration.pk).checked_in_at is None


def test_checkin_registration_post_checks_in_once(staff_client):
    registration = make_registration(make_seminar())

    first = staff_client.post(f"/seminars/checkin/{registration.checkin_token}/", follow=True)
    checked_in_at = Registration.objects.get(pk=registration.pk).checked_in_at
    second = staff_client.post(f"/seminars/checkin/{registration.checkin_token}/", follow=True)

    assert [str(m) for m in first.context["messages"]] == [f"{registration.name} 様の受付が完了しました。"]
    assert str(list(second.context["messages"])[0]).startswith("受付済みです（")
    assert Registration.objects.get(pk=registration.pk).checked_in_at == checked_in_at


def test_checkin_registration_anonymous_redirects_to_login(client):
    registration = make_registration(make_seminar())

    response = client.post(f"/seminars/checkin/{registration.checkin_token}/")

    assert response.status_code == 302
    assert Registration.objects.get(pk=registration.pk).checked_in_at is None


def test_checkin_token_from_a_photographed_receipt_opens_nothing_of_the_person(client):
    """The 受付票 QR holds the check-in token: it is not the person's link to see or cancel."""
    registration = make_registration(make_seminar(), name="写真 撮子")

    own_page = client.get(f"/seminars/r/{registration.checkin_token}/")
    cancel = client.post(f"/seminars/r/{registration.checkin_token}/", {"action": "cancel"})
    checkin_page = client.get(f"/seminars/checkin/{registration.checkin_token}/")

    assert (own_page.status_code, cancel.status_code) == (404, 404)
    assert "写真 撮子" not in own_page.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CONFIRMED
    assert checkin_page.status_code == 302
    assert checkin_page["Location"].startswith("/admin/login/")


def test_checkin_page_does_not_take_the_persons_own_token(staff_client):
    registration = make_registration(make_seminar())

    response = staff_client.post(f"/seminars/checkin/{registration.token}/")

    assert response.status_code == 404
    assert Registration.objects.get(pk=registration.pk).checked_in_at is None


def test_every_registration_gets_its_own_checkin_token_different_from_its_link():
    seminar = make_seminar()
    first, second = make_registration(seminar), make_registration(seminar)

    tokens = {first.token, first.checkin_token, second.token, second.checkin_token}
    assert len(tokens) == 4
    assert all(len(token) == 43 for token in tokens)


def test_checkin_counts_json(staff_client):
    seminar = make_seminar()
    make_registration(seminar, checked_in_at=NOW)
    make_registration(seminar, mode=AttendanceMode.ONLINE)

    response = staff_client.get(f"/seminars/{seminar.slug}/checkin/counts.json")

    assert response.json() == {"venue_confirmed": 1, "checked_in": 1, "online_confirmed": 1}


def test_registration_through_service_then_page_roundtrip(client):
    seminar = make_seminar()
    outcome = services.registration_create(
        seminar=seminar, mode="online", name="往復 確認", kana="おうふく かくにん", email="rt@example.jp",
        category="other", consent=True, now=NOW,
    )

    response = client.get(outcome.registration.get_absolute_url())

    assert response.status_code == 200


def test_register_post_rate_limited_per_address(client, settings):
    settings.RATELIMIT_REGISTRATION = "2/m"
    seminar = make_seminar()

    statuses = [
        client.post(f"/seminars/{seminar.slug}/register/", form_data(email=f"r{i}@example.jp", email_confirm=f"r{i}@example.jp")).status_code
        for i in range(3)
    ]

    assert statuses == [302, 302, 429]
    assert Registration.objects.count() == 2


def test_register_get_is_never_cached(client):
    seminar = make_seminar()

    response = client.get(f"/seminars/{seminar.slug}/register/")

    assert "no-cache" in response["Cache-Control"]


def test_register_form_groups_municipalities_by_prefecture_and_names_wards_with_city(client):
    make_municipality("202011", "長野市")
    sapporo = make_municipality("011002", "札幌市")
    Municipality.objects.create(
        code="011011", prefecture=sapporo.prefecture, name="中央区", name_kana="ちゅうおうく", kind="ward", parent=sapporo
    )
    seminar = make_seminar()

    html = client.get(f"/seminars/{seminar.slug}/register/").content.decode()

    assert '<optgroup label="長野県">' in html
    assert '<option value="202011">長野市</option>' in html
    assert '<option value="011011">札幌市中央区</option>' in html


def municipality_select(html: str) -> str:
    return re.search(r'<select name="municipality".*?</select>', html, re.S).group(0)


def grouped_options(select: str) -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (label, re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', group))
        for label, group in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S)
    ]


def test_register_form_offers_every_municipality_once_in_its_prefecture(client):
    make_municipality("202029", "松本市")
    make_municipality("202011", "長野市")
    make_municipality("062014", "山形市")
    sapporo = make_municipality("011002", "札幌市")
    Municipality.objects.create(
        code="011011", prefecture=sapporo.prefecture, name="中央区", name_kana="ちゅうおうく", kind="ward", parent=sapporo
    )
    seminar = make_seminar()

    pages = [client.get(f"/seminars/{seminar.slug}/register/").content.decode() for _ in range(2)]  # built, then reused

    selects = [municipality_select(page) for page in pages]
    assert selects[0] == selects[1]
    assert grouped_options(selects[0]) == [
        ("県01", [("011002", "札幌市"), ("011011", "札幌市中央区")]),
        ("山形県", [("062014", "山形市")]),
        ("長野県", [("202011", "長野市"), ("202029", "松本市")]),
    ]
    assert re.findall(r"<option [^>]*selected[^>]*>[^<]*</option>", selects[0]) == ['<option value="" selected>（選択しない）</option>']
    assert selects[0].startswith(
        '<select name="municipality" autocomplete="off" class="select form-select" '
        'aria-describedby="id_municipality_helptext" id="id_municipality">'
    )


def test_register_post_with_errors_keeps_the_chosen_municipality_selected(client):
    make_municipality("202011", "長野市")
    make_municipality("202029", "松本市")
    seminar = make_seminar()
    client.get(f"/seminars/{seminar.slug}/register/")  # the empty form's select is cached first

    response = client.post(
        f"/seminars/{seminar.slug}/register/", form_data(municipality="202029", email_confirm="other@example.jp")
    )

    select = municipality_select(response.content.decode())
    assert field_errors(response, "email_confirm") == ["確認用のメールアドレスが一致しません。"]
    assert re.findall(r"<option [^>]*selected[^>]*>[^<]*</option>", select) == ['<option value="202029" selected>松本市</option>']
    assert '<option value="">（選択しない）</option>' in select


def test_register_post_unknown_municipality_is_an_error_next_to_the_select(client):
    make_municipality("202011", "長野市")
    seminar = make_seminar()

    response = client.post(f"/seminars/{seminar.slug}/register/", form_data(municipality="999999"))

    html = response.content.decode()
    select = municipality_select(html)
    assert response.status_code == 200
    assert field_errors(response, "municipality") == ["お住まい・お勤めの市区町村は、表示されている選択肢から選んでください。"]
    assert select.startswith(
        '<select name="municipality" autocomplete="off" class="select form-select is-invalid" aria-invalid="true" '
        'aria-describedby="id_municipality_helptext id_municipality_error" id="id_municipality">'
    )
    assert re.findall(r"<option [^>]*selected[^>]*>", select) == []
    assert Registration.objects.count() == 0


def test_register_form_pages_each_carry_a_working_csrf_token():
    seminar = make_seminar(venue_capacity=2)
    browsers = [PortalClient(enforce_csrf_checks=True) for _ in range(2)]
    tokens = []
    for browser in browsers:
        html = browser.get(f"/seminars/{seminar.slug}/register/?src=flyer").content.decode()
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1))
        assert f'action="/seminars/{seminar.slug}/register/?src=flyer"' in html

    statuses = [
        browser.post(
            f"/seminars/{seminar.slug}/register/?src=flyer",
            form_data(email=f"p{i}@example.jp", email_confirm=f"p{i}@example.jp", csrfmiddlewaretoken=token),
        ).status_code
        for i, (browser, token) in enumerate(zip(browsers, tokens, strict=True))
    ]

    assert tokens[0] != tokens[1]
    assert statuses == [302, 302]
    assert sorted(Registration.objects.values_list("email", "source")) == [("p0@example.jp", "flyer"), ("p1@example.jp", "flyer")]


# Outside a test transaction, so that the statements are the production ones: the service's
# atomic block is a transaction (BEGIN and COMMIT are counted too), not a savepoint.
@pytest.mark.django_db(transaction=True)
def test_register_query_counts_are_fixed(client, django_assert_num_queries):
    make_municipality("202011", "長野市")
    seminar = make_seminar(venue_capacity=1, online_capacity=0)
    path = f"/seminars/{seminar.slug}/register/"
    client.get(path)  # the first page of a process reads the municipality master once

    with django_assert_num_queries(1):  # the seminar with its seats
        client.get(path)
    # seminar; BEGIN; lock; seats taken and existing registration; registration; mail; COMMIT
    with django_assert_num_queries(7):
        registered = client.post(path, form_data())
    # seminar; BEGIN; lock; seats taken and existing registration; ROLLBACK; seminar with seats
    with django_assert_num_queries(6):
        refused = client.post(path, form_data(email="b@example.jp", email_confirm="b@example.jp", when_full="online"))

    assert registered.status_code == 302
    assert refused.status_code == 200
    assert field_errors(refused, "when_full") == [
        "会場・オンラインとも満席です。キャンセル待ちをご希望の場合は「キャンセル待ちに登録する」を選んでください。"
    ]


def test_english_seminar_page_writes_dates_in_english(client):
    seminar = make_seminar(date=dt.date(2025, 9, 30), deadline=dt.date(2025, 9, 23), fiscal_year=2025)

    path = seminar.get_absolute_url()

    english = client.get(f"/en{path}").content.decode()
    japanese = client.get(path).content.decode()

    assert "Tue 30 September 2025" in english and "Tue 23 September 2025" in english and "FY2025" in english
    assert "令和" not in english
    assert "令和7年9月30日（火）" in japanese and "令和7年度" in japanese


def test_english_register_page_with_both_modes_full_says_so_in_english(client):
    seminar = make_seminar(venue_capacity=1, online_capacity=1)
    make_registration(seminar, mode=AttendanceMode.VENUE)
    make_registration(seminar, mode=AttendanceMode.ONLINE)

    html = client.get(f"/en/seminars/{seminar.slug}/register/").content.decode()

    assert seats_block(html)[-1] == (
        "Both in-person and online attendance are full. You can only join the waiting list. "
        "If a place becomes free, people are confirmed in order of registration and told by email."
    )
    assert "Both in-person and online attendance are full. Registrations are accepted for the waiting list only." in html
    assert 'value="Join the waiting list"' in html


# ---------------------------------------------------------------- 受付番号 (per seminar)


def dd_after(html: str, label: str) -> str:
    """The text of the <dd> that follows the <dt> saying ``label``."""
    match = re.search(rf"<dt[^>]*>{label}</dt><dd[^>]*>(.*?)</dd>", html)
    return match.group(1) if match else ""


def seminar_with_third_registration():
    """A seminar whose third registration is not the third row of the table: number ≠ id."""
    other = make_seminar()
    for _ in range(4):
        make_registration(other)
    seminar = make_seminar()
    make_registration(seminar)
    make_registration(seminar)
    return seminar, make_registration(seminar, name="三番 目子", kana="さんばん めこ")


def test_registration_page_shows_the_per_seminar_number(client):
    _seminar, registration = seminar_with_third_registration()

    html = client.get(f"/seminars/r/{registration.token}/").content.decode()

    assert registration.pk != 3
    assert dd_after(html, "受付番号") == "3"


def test_checkin_pages_show_the_per_seminar_number(staff_client):
    seminar, registration = seminar_with_third_registration()

    scanned = staff_client.get(f"/seminars/checkin/{registration.checkin_token}/").content.decode()
    listed = staff_client.get(f"/seminars/{seminar.slug}/checkin/", {"q": "さんばん"}).content.decode()

    assert dd_after(scanned, "受付番号") == "3"
    assert re.findall(r"<small>受付番号 (\d+)・", listed) == ["3"]


def test_checkin_search_finds_name_without_space_half_width_kana_and_full_width_number(staff_client):
    seminar = make_seminar()
    make_registration(seminar, number=1, name="田中 美咲", kana="たなか みさき", email="m@example.jp")
    make_registration(seminar, number=2, name="田中 健太", kana="たなか けんた", email="k@example.jp")

    def names(q: str) -> list[str]:
        response = staff_client.get(f"/seminars/{seminar.slug}/checkin/", {"q": q})
        return re.findall(r"<span>(\S+ \S+)（", response.content.decode())

    assert names("田中美咲") == ["田中 美咲"]
    assert names("ﾀﾅｶ ﾐｻｷ") == ["田中 美咲"]
    assert names("タナカ") == ["田中 健太", "田中 美咲"]
    assert names("２") == ["田中 健太"]


# ---------------------------------------------------------------- resend my link

RESEND = "/seminars/resend/"


def test_resend_path_is_stable_and_not_a_seminar_slug():
    from django.core.exceptions import ValidationError

    from seminars.models import validate_slug_not_reserved

    assert reverse("seminars:registration_resend") == RESEND
    with pytest.raises(ValidationError):
        validate_slug_not_reserved("resend")


def test_resend_page_has_one_email_field(client):
    response = client.get(RESEND)

    assert response.status_code == 200
    assert list(response.context["form"].fields) == ["email"]
    assert response["Cache-Control"].startswith("max-age=0")


def test_resend_answers_the_same_whether_or_not_the_address_has_a_registration(client, queued_mails):
    registration = make_registration(make_seminar(), email="known@example.jp")

    known = client.post(RESEND, {"email": "Known@example.jp"}, follow=True)
    unknown = client.post(RESEND, {"email": "unknown@example.jp"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [("/seminars/resend/?sent=1", 302)]
    assert known.content == unknown.content
    assert "ご入力のメールアドレスで開催前のセミナーのお申し込みを受け付けている場合は" in known.content.decode()
    assert queued_mails() == [("seminars.links", registration.pk)]


def test_resend_invalid_address_is_an_error_next_to_the_field(client, queued_mails):
    response = client.post(RESEND, {"email": "not-an-address"})

    assert response.status_code == 200
    assert field_errors(response, "email") == ["メールアドレスの形式で入力してください（例：name@example.jp）。"]
    assert 'class="invalid-feedback" id="id_email_error">メールアドレスの形式で入力してください（例：name@example.jp）。' in response.content.decode()
    assert queued_mails() == []


def test_resend_rate_limited_per_address_whoever_asks(client, settings, queued_mails):
    settings.RATELIMIT_SEMINAR_RESEND_PER_ADDRESS = "2/h"
    registration = make_registration(make_seminar(), email="target@example.jp")

    statuses = [
        client.post(RESEND, {"email": "TARGET@example.jp"}, REMOTE_ADDR=f"192.0.2.{n}").status_code for n in range(1, 4)
    ]
    other = client.post(RESEND, {"email": "other@example.jp"}, REMOTE_ADDR="192.0.2.9").status_code

    assert statuses == [302, 302, 429]
    assert other == 302
    assert queued_mails() == [("seminars.links", registration.pk)] * 2


def test_resend_rate_limited_per_client_address(client, settings):
    settings.RATELIMIT_REGISTRATION = "2/m"

    statuses = [client.post(RESEND, {"email": f"p{n}@example.jp"}).status_code for n in range(3)]

    assert statuses == [302, 302, 429]


def resend_links(html: str) -> list[str]:
    return re.findall(r'<a href="/seminars/resend/">([^<]+)</a>', html)


def test_resend_is_linked_from_the_seminar_page_not_found_page_and_already_registered_page(client):
    seminar = make_seminar()
    make_registration(seminar, email="twice@example.jp")

    detail = client.get(f"/seminars/{seminar.slug}/").content.decode()
    not_found = client.get("/seminars/r/" + "x" * 43 + "/").content.decode()
    exists = client.post(
        f"/seminars/{seminar.slug}/register/", form_data(email="twice@example.jp", email_confirm="twice@example.jp")
    ).content.decode()

    assert resend_links(detail) == ["確認リンクを再送する"]
    assert resend_links(not_found) == ["確認リンクを再送する"]
    assert "このメールアドレスでは既にお申し込みを受け付けています" in exists
    assert resend_links(exists) == ["確認リンクを再送する"]
