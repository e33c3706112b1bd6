import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.models import PolicyProgram, PolicyProgramPoint
from portal.roles import MINISTRY_STAFF, PROJECT_APPS


def load() -> None:
    call_command("load_demo_programs", stdout=io.StringIO())


@pytest.mark.django_db
def test_load_demo_programs_stores_the_seed_facts():
    load()

    rmo, summit = PolicyProgram.objects.order_by("sort_order")
    assert (rmo.title, rmo.budget_request_fiscal_year_label, rmo.budget_request_million_yen) == (
        "地域運営組織（RMO）の形成・運営",
        "令和8年度",
        31,
    )
    assert (rmo.initial_budget_fiscal_year_label, rmo.initial_budget_million_yen) == ("令和7年度", 31)
    assert rmo.abbreviation_note == "RMO：Region Management Organization"
    assert rmo.definition.startswith("地域の暮らしを守るため、地域で暮らす人々が中心となって形成され")
    assert rmo.definition.endswith("地域課題の解決に向けた取組を持続的に実践する組織")
    assert [point.text.split("、")[0] for point in rmo.points.all()] == [
        "高齢化による生活機能の低下や人口減少・過疎化による集落の生活支援機能の低下が進む中",
        "活動内容は",
        "全国には8,193組織",
        "地域運営組織に対して",
    ]
    assert rmo.points.get(text__startswith="全国には").text == (
        "全国には8,193組織、地域運営組織が形成されている市区町村数は893団体（令和6年度総務省調査）"
    )
    assert rmo.points.get(heading="地域運営組織の形成及び持続的な運営に関する取組の推進").note == (
        "※令和7年度は青森県、福島県、長野県、鹿児島県でハイブリット開催"
    )
    assert (summit.title, summit.budget_request_million_yen, summit.initial_budget_million_yen) == (
        "全国市町村長サミット",
        9,
        9,
    )
    assert summit.official_url == "https://www.soumu.go.jp/main_sosiki/jichi_gyousei/c-gyousei/zenkoku_summit.html"
    assert summit.summary.endswith("例年、全国市町村長サミットを開催しています。")


@pytest.mark.django_db
def test_load_demo_programs_twice_leaves_the_same_rows():
    load()
    first = list(PolicyProgram.objects.order_by("pk").values())
    first_points = list(PolicyProgramPoint.objects.order_by("program_id", "sort_order").values_list("text", "note"))

    load()

    assert list(PolicyProgram.objects.order_by("pk").values("id", "slug")) == [
        {"id": row["id"], "slug": row["slug"]} for row in first
    ]
    assert list(PolicyProgramPoint.objects.order_by("program_id", "sort_order").values_list("text", "note")) == first_points
    assert PolicyProgram.objects.count() == 2
    assert PolicyProgramPoint.objects.count() == 4


@pytest.mark.django_db
def test_load_demo_programs_resets_a_staff_edit_to_the_seed():
    load()
    PolicyProgram.objects.filter(slug="rmo").update(budget_request_million_yen=99)

    load()

    assert PolicyProgram.objects.get(slug="rmo").budget_request_million_yen == 31


def run_setup_demo() -> str:
    out = io.StringIO()
    call_command("setup_demo", force=True, verbosity=0, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    return next(line.split()[-1] for line in output.splitlines() if line.strip().startswith("パスワード:"))


@pytest.mark.django_db
def test_setup_demo_creates_a_ministry_staff_login_that_is_not_a_superuser():
    output = run_setup_demo()

    user = authenticate(username="demo-staff", password=printed_password(output))
    assert user is not None
    assert (user.is_staff, user.is_superuser) == (True, False)
    assert list(user.groups.values_list("name", flat=True)) == [MINISTRY_STAFF]
    assert "  管理画面:     http://testserver/admin/" in output.splitlines()


@pytest.mark.django_db
def test_setup_demo_twice_keeps_the_same_rows_and_resets_the_password():
    first_output = run_setup_demo()
    counts = {model: model.objects.count() for model in apps.get_models() if model._meta.app_label in PROJECT_APPS}

    second_output = run_setup_demo()

    assert {model: model.objects.count() for model in counts} == counts
    assert get_user_model().objects.filter(username="demo-staff").count() == 1
    assert authenticate(username="demo-staff", password=printed_password(first_output)) is None
    assert authenticate(username="demo-staff", password=printed_password(second_output)) is not None


@pytest.mark.django_db
def test_setup_demo_refuses_without_debug_unless_forced():
    with pytest.raises(CommandError, match="DEBUG=false"):
        call_command("setup_demo", stdout=io.StringIO())

    assert get_user_model().objects.filter(username="demo-staff").exists() is False


@pytest.mark.django_db
def test_setup_demo_says_when_two_step_login_is_relaxed_for_the_quick_start(settings):
    settings.REQUIRE_STAFF_2FA = False

    output = run_setup_demo()

    assert (
        "  2段階認証: 開発用の設定（DEBUG）のため省略できます。本番では職員のアカウントに必須です（REQUIRE_STAFF_2FA）。"
        in output.splitlines()
    )


@pytest.mark.django_db
def test_setup_demo_says_two_step_login_is_required_when_it_is(settings):
    settings.REQUIRE_STAFF_2FA = True

    output = run_setup_demo()

    assert "  2段階認証: 必須です。初回ログインの後、認証アプリ（TOTP）を設定してください。" in output.splitlines()
