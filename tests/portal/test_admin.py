import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from portal.models import PolicyProgram
from portal.roles import MINISTRY_STAFF
from tests.portal.html import find_all, texts


@pytest.fixture
def ministry_client(client, db):
    user = get_user_model().objects.create_user("ministry", password="unused-password-123", is_staff=True)
    user.groups.add(Group.objects.get(name=MINISTRY_STAFF))
    client.force_login(user)
    return client


def test_admin_index_is_in_japanese(ministry_client):
    html = ministry_client.get("/admin/").content

    assert find_all(html, "html")[0].attrs["lang"] == "ja"
    assert texts(html, "div", id="site-name") == ["地域振興室ポータル 管理"]
    assert "ログアウト" in html.decode()
    assert texts(html, "a", href="/admin/portal/policyprogram/")[0] == "施策"


def test_ministry_staff_edit_a_program_in_the_admin_and_the_page_follows(ministry_client):
    program = PolicyProgram.objects.create(slug="summit", title="全国市町村長サミット", budget_request_fiscal_year=2026,
                                           budget_request_million_yen=9)
    form = {
        "title": "全国市町村長サミット",
        "slug": "summit",
        "abbreviation_note": "",
        "definition": "",
        "summary": "",
        "official_url": "",
        "budget_request_fiscal_year": "2026",
        "budget_request_million_yen": "10",
        "initial_budget_fiscal_year": "2025",
        "initial_budget_million_yen": "9",
        "sort_order": "20",
        "is_published": "on",
        "points-TOTAL_FORMS": "1",
        "points-INITIAL_FORMS": "0",
        "points-MIN_NUM_FORMS": "0",
        "points-MAX_NUM_FORMS": "1000",
        "points-0-sort_order": "10",
        "points-0-heading": "",
        "points-0-text": "市町村長が一堂に会して議論・交流",
        "points-0-note": "",
    }

    response = ministry_client.post(f"/admin/portal/policyprogram/{program.pk}/change/", form)

    assert response.status_code == 302
    html = ministry_client.get("/about/").content
    assert texts(html, "dd") == ["10百万円", "9百万円"]
    assert texts(html, "ul", class_="program-points") == ["市町村長が一堂に会して議論・交流"]
