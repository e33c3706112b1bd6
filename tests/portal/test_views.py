import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError

from portal import views
from portal.models import PolicyProgram
from portal.services import PointData, policy_program_upsert
from tests.portal.html import find_all, parse, texts


@pytest.mark.django_db
def test_healthz_database_up_answers_200(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


@pytest.mark.django_db
def test_healthz_database_down_answers_503(client):
    # The one place a mock is right: we cannot stop the test database mid-test.
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}


# ---------------------------------------------------------------- base layout


def make_program(slug: str, **fields) -> PolicyProgram:
    defaults = {
        "title": f"施策 {slug}",
        "budget_request_fiscal_year": 2026,
        "budget_request_million_yen": 31,
        "initial_budget_fiscal_year": 2025,
        "initial_budget_million_yen": 31,
        "points": [PointData("要点その1"), PointData("要点その2", heading="取組", note="※注記")],
    }
    return policy_program_upsert(slug=slug, **{**defaults, **fields})


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/about/", "/privacy/"])
def test_base_pages_have_skip_link_and_one_of_each_landmark(client, path):
    html = client.get(path).content

    skip_links = find_all(html, "a", href="#main")
    assert [link.text for link in skip_links] == ["本文へ移動"]
    assert html.decode().index('href="#main"') < html.decode().index("<header")
    assert len(find_all(html, "header")) == 1
    assert len(find_all(html, "main", id="main")) == 1
    assert len(find_all(html, "footer")) == 1
    assert [nav.attrs["aria-label"] for nav in find_all(html, "nav") if "aria-label" in nav.attrs][:1] == [
        "メインメニュー"
    ]


@pytest.mark.django_db
def test_base_page_has_no_inline_script_or_style(client):
    html = client.get("/about/").content

    scripts = find_all(html, "script")
    assert [script.attrs.get("src") for script in scripts] == ["/static/vendor/bootstrap/js/bootstrap.bundle.min.js"]
    assert all("defer" in script.attrs for script in scripts)
    assert [element for element in parse(html) if "style" in element.attrs] == []
    assert find_all(html, "style") == []


@pytest.mark.django_db
def test_navigation_marks_the_current_section(client):
    html = client.get("/about/").content

    assert texts(html, "a", class_="nav-link", aria_current="page") == ["施策について"]


@pytest.mark.django_db
def test_default_language_is_japanese(client):
    html = client.get("/").content

    assert find_all(html, "html")[0].attrs["lang"] == "ja"


@pytest.mark.django_db
def test_english_pages_live_under_the_en_prefix(client):
    html = client.get("/en/about/").content

    assert find_all(html, "html")[0].attrs["lang"] == "en"


def _switcher_links(html: bytes) -> list[tuple[str, str, str | None]]:
    switchers = find_all(html, "nav", class_="language-switcher")
    assert len(switchers) == 1
    return [(a.attrs["hreflang"], a.attrs["href"], a.attrs.get("aria-current")) for a in find_all(html, "a") if "hreflang" in a.attrs]


@pytest.mark.django_db
def test_language_switcher_links_to_the_same_page_in_each_language(client):
    html = client.get("/organizations/?q=%E6%9D%B1&page=2").content

    assert _switcher_links(html) == [
        ("ja", "/organizations/?q=%E6%9D%B1&page=2", "true"),
        ("en", "/en/organizations/?q=%E6%9D%B1&page=2", None),
    ]
    assert [(link.attrs["hreflang"], link.attrs["href"]) for link in find_all(html, "link", rel="alternate")] == [
        ("ja", "http://testserver/organizations/?q=%E6%9D%B1&page=2"),
        ("en", "http://testserver/en/organizations/?q=%E6%9D%B1&page=2"),
    ]


@pytest.mark.django_db
def test_language_switcher_needs_no_form_or_csrf_cookie(client):
    response = client.get("/privacy/")

    assert find_all(response.content, "form", class_="language-switcher") == []
    assert find_all(response.content, "input", name="csrfmiddlewaretoken") == []
    assert "csrftoken" not in response.cookies


@pytest.mark.django_db
def test_language_switcher_on_a_missing_page_offers_the_other_home_page(client):
    response = client.get("/en/no-such-page/")

    assert response.status_code == 404
    assert _switcher_links(response.content) == [("ja", "/", None), ("en", "/en/no-such-page/", "true")]
    assert [link.attrs["hreflang"] for link in find_all(response.content, "link", rel="alternate")] == ["en"]


@pytest.mark.django_db
def test_footer_links_to_about_and_privacy(client):
    html = client.get("/").content

    footer_links = [a.attrs["href"] for a in find_all(html, "a") if a.attrs.get("href") in {"/about/", "/privacy/"}]
    assert footer_links[-2:] == ["/about/", "/privacy/"]
    assert "総務省 地域力創造グループ 地域振興室" in texts(html, "p", class_="site-footer-org")


# ---------------------------------------------------------------- query counts

# Home: no query of its own; one each for the sections other apps contribute.
HOME_QUERIES = 3  # featured case studies, upcoming seminars, upcoming summits


@pytest.mark.django_db
def test_home_renders_with_a_fixed_number_of_queries_when_empty(client, django_assert_num_queries):
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/")

    assert response.status_code == 200
    assert find_all(response.content, "section", aria_labelledby="upcoming-title") == []


@pytest.mark.django_db
def test_home_renders_with_the_same_queries_when_every_section_has_rows(client, django_assert_num_queries):
    for loader in ("load_municipalities", "load_demo_organizations", "load_demo_seminars", "load_demo_summits"):
        call_command(loader, stdout=io.StringIO())

    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/")

    assert texts(response.content, "h2") == ["メニュー", "今後の開催予定", "地域運営組織の活動事例"]


@pytest.mark.django_db
@pytest.mark.parametrize("programs", [1, 3])
def test_about_costs_two_queries_at_any_number_of_programs(client, django_assert_num_queries, programs):
    for number in range(programs):
        make_program(f"program-{number}")

    with django_assert_num_queries(2):  # programs, then all their points
        response = client.get("/about/")

    assert len(find_all(response.content, "section", class_="program")) == programs


@pytest.mark.django_db
def test_privacy_costs_one_query_then_none_while_kept(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the request desk
        first = client.get("/privacy/")
    with django_assert_num_queries(0):
        again = client.get("/privacy/")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content == first.content


# ---------------------------------------------------------------- 施策について

@pytest.mark.django_db
def test_about_shows_budget_figures_from_the_records(client):
    call_command("load_demo_programs", stdout=io.StringIO())

    html = client.get("/about/").content

    assert texts(html, "h2", lang="ja") == ["地域運営組織（RMO）の形成・運営", "全国市町村長サミット"]
    assert texts(html, "dt") == [
        "令和8年度 概算要求額",
        "令和7年度 当初予算額",
        "令和8年度 概算要求額",
        "令和7年度 当初予算額",
    ]
    assert texts(html, "dd") == ["31百万円", "31百万円", "9百万円", "9百万円"]


@pytest.mark.django_db
def test_about_follows_an_edit_of_the_record(client):
    call_command("load_demo_programs", stdout=io.StringIO())
    PolicyProgram.objects.filter(slug="summit").update(budget_request_fiscal_year=2027, budget_request_million_yen=12)

    html = client.get("/about/").content

    assert texts(html, "dd") == ["31百万円", "31百万円", "12百万円", "9百万円"]
    assert texts(html, "dt")[2] == "令和9年度 概算要求額"


@pytest.mark.django_db
def test_about_hides_unpublished_programs(client):
    make_program("shown", title="公開する施策")
    make_program("hidden", title="非公開の施策", is_published=False)

    html = client.get("/about/").content

    assert texts(html, "h2", lang="ja") == ["公開する施策"]


@pytest.mark.django_db
def test_about_groups_points_under_their_heading_with_notes(client):
    make_program("rmo")

    html = client.get("/about/").content

    assert texts(html, "h3", class_="h5") == ["取組"]
    assert texts(html, "ul", class_="program-points") == ["要点その1", "要点その2※注記"]
    assert texts(html, "span", class_="program-note") == ["※注記"]


# ---------------------------------------------------------------- privacy

@pytest.mark.django_db
def test_privacy_states_purpose_viewers_retention_and_contact(client):
    html = client.get("/privacy/").content

    assert texts(html, "h1") == ["個人情報の取扱い"]
    assert texts(html, "h2") == [
        "利用目的（法第61条・第62条）",
        "お預かりする情報と個人情報ファイル簿（法第75条）",
        "個人情報を閲覧できる者",
        "保存期間",
        "安全管理のための措置（法第66条）",
        "漏えい等が生じたとき（法第68条）",
        "Cookieの利用",
        "開示・訂正・利用停止の請求（法第76条以下）",
    ]
    page = html.decode()
    for phrase in ("参加申込みの受付", "参加者への連絡", "参加者数の集計", "担当する職員のみ", "終了日から180日を経過した後に削除"):
        assert phrase in page
    assert texts(html, "p", class_="contact-org") == ["総務省 地域力創造グループ 地域振興室"]


# ---------------------------------------------------------------- error pages

@pytest.mark.django_db
def test_unknown_municipality_code_is_a_404_with_search_and_home_link(client):
    response = client.get("/municipalities/999999/")

    assert response.status_code == 404
    forms = find_all(response.content, "form", role="search")
    assert [(form.attrs["action"], form.attrs["method"]) for form in forms] == [("/organizations/", "get")]
    assert [field.attrs["type"] for field in find_all(response.content, "input", name="q")] == ["search"]
    assert texts(response.content, "a", href="/")[-1] == "トップページへ戻る"
    assert texts(response.content, "h1") == ["ページが見つかりません"]


@pytest.mark.django_db
def test_unknown_path_is_a_404_with_search(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert len(find_all(response.content, "form", role="search")) == 1


@pytest.mark.django_db
def test_404_costs_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/no-such-page/")

    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("handler", "status", "heading"),
    [
        (views.bad_request, 400, "リクエストを処理できません"),
        (views.permission_denied, 403, "アクセスできません"),
        (views.page_not_found, 404, "ページが見つかりません"),
    ],
)
def test_error_pages_offer_search_and_a_way_home(rf, handler, status, heading):
    request = rf.get("/somewhere/")

    response = handler(request, exception=None)

    assert response.status_code == status
    assert texts(response.content, "h1") == [heading]
    assert len(find_all(response.content, "form", role="search")) == 1
    assert texts(response.content, "a", href="/")[-1] == "トップページへ戻る"


def test_500_page_renders_without_the_database(rf):
    # No django_db mark: any database access here would raise.
    response = views.server_error(rf.get("/"))

    assert response.status_code == 500
    assert texts(response.content, "h1") == ["システムエラーが発生しました"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["//evil.example/x", "///evil.example/x"])
def test_a_path_a_browser_reads_as_another_site_is_never_linked_back(client, path):
    response = client.get("/", PATH_INFO=path)  # as sent: the test client would read it as a host

    assert response.status_code == 404
    assert _switcher_links(response.content) == [("ja", "/", "true"), ("en", "/en/", None)]
    assert find_all(response.content, "link", rel="alternate") == []
    assert b"evil.example" not in response.content
