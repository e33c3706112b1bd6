"""portal/accessibility.py and the two pages that publish it: ウェブアクセシビリティ方針 and 試験結果."""

import datetime as dt
import json
from collections import Counter

import pytest

from portal.accessibility import (
    FAIL,
    JIS_AA_CRITERIA,
    MANUAL,
    NOT_AUTOMATED,
    PASS,
    RESULTS_FORMAT,
    REVIEW,
    criteria_results,
    criterion_result,
    results_from_data,
    results_load,
)
from portal.deadlines import JAPAN
from tests.portal.html import find_all, texts

CRITERIA = {criterion.number: criterion for criterion in JIS_AA_CRITERIA}


def sample_data(**changes) -> dict:
    """A results file as tests/e2e/checks.py writes it: two pages of one form, phone and desktop."""
    data = {
        "format": RESULTS_FORMAT,
        "tested_at": "2026-03-09T18:40:00+09:00",
        "tools": {"axe_core": "4.14.1", "vnu_jar": "26.9.27", "chromium": "156.0.8078.114", "axe_tags": ["wcag2a"]},
        "session": {"passed": 10, "failed": 0, "skipped": 0},
        "rules": {
            "color-contrast": ["cat.color", "wcag143", "wcag2aa"],
            "image-alt": ["wcag111", "wcag2a"],
            "label": ["wcag131", "wcag2a", "wcag412"],
            "video-caption": ["wcag122", "wcag2a"],
            "no-autoplay-audio": ["wcag142", "wcag2a"],
            "document-title": ["wcag242", "wcag2a"],
        },
        "pages": [
            {
                "path": "/seminars/demo/register/", "title": "参加申込 | 総務省 地域振興室", "viewport": "390x844",
                "state": "errors", "tests": ["tests/e2e/test_seminars.py::test_a[phone]"],
                "passes": ["document-title", "image-alt", "video-caption"],
                "violations": {"label": 2}, "incomplete": {"color-contrast": 1},
            },
            {
                "path": "/seminars/demo/register/", "title": "参加申込 | 総務省 地域振興室", "viewport": "1280x800",
                "state": "", "tests": ["tests/e2e/test_seminars.py::test_a[desktop]"],
                "passes": ["color-contrast", "document-title", "image-alt", "label"],
                "violations": {}, "incomplete": {},
            },
        ],
        "html": {"documents": 3, "errors": []},
    }  # fmt: skip
    return {**data, **changes}


def result_of(number: str, data: dict | None = None):
    return criterion_result(CRITERIA[number], results_from_data(data or sample_data()))


# ---------------------------------------------------------------- the criteria


def test_criteria_are_the_38_of_wcag_2_0_level_a_and_aa():
    numbers = [criterion.number for criterion in JIS_AA_CRITERIA]

    assert len(numbers) == len(set(numbers)) == 38
    assert Counter(criterion.level for criterion in JIS_AA_CRITERIA) == {"A": 25, "AA": 13}
    assert [number for number in numbers if CRITERIA[number].level == "AA"] == [
        "1.2.4", "1.2.5", "1.4.3", "1.4.4", "1.4.5", "2.4.5", "2.4.6", "2.4.7", "3.1.2", "3.2.3", "3.2.4", "3.3.3", "3.3.4",
    ]  # fmt: skip
    assert numbers == sorted(numbers, key=lambda number: tuple(map(int, number.split("."))))


def test_criteria_map_to_axe_tags():
    assert [CRITERIA[number].axe_tag for number in ("1.1.1", "1.4.3", "4.1.2")] == ["wcag111", "wcag143", "wcag412"]


def test_every_criterion_a_person_checks_says_what_to_check():
    assert [criterion.number for criterion in JIS_AA_CRITERIA if criterion.method != "automated" and not criterion.manual_check] == []
    assert sorted(criterion.number for criterion in JIS_AA_CRITERIA if criterion.method == "automated") == ["1.4.3", "3.1.1", "4.1.1"]


def test_time_based_media_and_multiple_ways_are_never_automated():
    assert {number: CRITERIA[number].method for number in ("1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5", "2.4.5")} == dict.fromkeys(
        ("1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5", "2.4.5"), MANUAL
    )


# ---------------------------------------------------------------- criteria from the results


def test_criterion_whose_rules_passed_on_every_page_is_pass():
    result = result_of("1.1.1")

    assert (result.outcome, result.pages_tested, result.pages_failed, result.rules) == (PASS, 2, 0, ["image-alt"])


def test_criterion_with_a_violation_on_one_page_is_fail_with_its_rule():
    result = result_of("4.1.2")

    assert (result.outcome, result.pages_tested, result.pages_failed, result.failed_rules) == (FAIL, 2, 1, ["label"])
    assert result_of("1.3.1").outcome == FAIL  # the same rule tests 1.3.1


def test_criterion_that_axe_could_not_decide_needs_review():
    result = result_of("1.4.3")

    assert (result.outcome, result.pages_tested, result.pages_failed) == (REVIEW, 2, 0)


def test_manual_criterion_is_not_automated_even_where_its_rule_passed():
    result = result_of("1.2.2")  # video-caption passed: there was no video, which proves nothing about captions

    assert (result.outcome, result.pages_tested) == (NOT_AUTOMATED, 1)


def test_manual_criterion_with_a_violation_is_fail():
    data = sample_data()
    data["pages"][0]["violations"] = {"video-caption": 1}

    assert result_of("1.2.2", data).outcome == FAIL


def test_criterion_whose_rules_applied_to_no_page_is_not_automated():
    assert (result_of("1.4.2").outcome, result_of("1.4.2").pages_tested) == (NOT_AUTOMATED, 0)  # no-autoplay-audio: inapplicable
    assert (result_of("2.4.7").outcome, result_of("2.4.7").rules) == (NOT_AUTOMATED, [])  # no rule at all


def test_parsing_is_decided_by_the_html_checker():
    broken = sample_data(html={"documents": 3, "errors": [{"test": "t", "document": "home", "message": "Stray end tag “p”."}]})

    assert (result_of("4.1.1").outcome, result_of("4.1.1").pages_tested) == (PASS, 3)
    assert (result_of("4.1.1", broken).outcome, result_of("4.1.1", broken).pages_failed) == (FAIL, 1)
    assert result_of("4.1.1", sample_data(html={"documents": 0, "errors": []})).outcome == NOT_AUTOMATED


def test_criteria_results_cover_every_criterion_in_order():
    results = criteria_results(results_from_data(sample_data()))

    assert [result.criterion.number for result in results] == [criterion.number for criterion in JIS_AA_CRITERIA]
    assert Counter(result.outcome for result in results) == {NOT_AUTOMATED: 32, FAIL: 2, PASS: 3, REVIEW: 1}


def test_test_date_is_japan_time_and_the_retest_is_due_a_year_later():
    results = results_from_data(sample_data(tested_at="2028-02-29T23:30:00+09:00"))

    assert results.tested_at == dt.datetime(2028, 2, 29, 23, 30, tzinfo=JAPAN)
    assert (results.tested_on, results.retest_due) == (dt.date(2028, 2, 29), dt.date(2029, 2, 28))
    assert results_from_data(sample_data(tested_at="2026-03-09T15:30:00+00:00")).tested_on == dt.date(2026, 3, 10)


# ---------------------------------------------------------------- reading the file


def test_results_load_without_a_file_is_none(tmp_path):
    assert results_load(tmp_path / "missing.json") is None


@pytest.mark.parametrize("content", ["{not json", json.dumps({"format": 99}), json.dumps({"format": RESULTS_FORMAT})])
def test_results_load_of_a_file_it_cannot_read_is_none_and_logged(tmp_path, caplog, content):
    path = tmp_path / "results.json"
    path.write_text(content, encoding="utf-8")

    assert results_load(path) is None
    assert [record.levelname for record in caplog.records] == ["ERROR"]


# ---------------------------------------------------------------- the pages


@pytest.fixture
def published(settings, tmp_path):
    settings.ACCESSIBILITY_RESULTS_PATH = tmp_path / "results.json"
    settings.ACCESSIBILITY_RESULTS_PATH.write_text(json.dumps(sample_data(), ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def unpublished(settings, tmp_path):
    settings.ACCESSIBILITY_RESULTS_PATH = tmp_path / "missing.json"


@pytest.mark.django_db
def test_results_page_shows_the_test_and_the_checklist(client, published):
    response = client.get("/accessibility/results/")

    assert response.status_code == 200
    html = response.content
    assert texts(html, "h1") == ["ウェブアクセシビリティ試験結果"]
    definitions = dict(zip(texts(html, "dt"), texts(html, "dd"), strict=True))
    assert definitions == {
        "試験日": "令和8年3月9日（月）（2026-03-09）",
        "規格": "JIS X 8341-3:2016",
        "目標とする適合レベル": "レベルAA",
        "試験に使ったツール": "axe-core 4.14.1、Nu HTML Checker (vnu-jar) 26.9.27、Chromium 156.0.8078.114",
        "試験したページ": "2件（スマートフォンの画面 1件、パソコンの画面 1件）",
        "ソースの構文の検査": "3件のページのソース、エラー0件",
        "次回の試験": "令和9年3月9日（火）（2027-03-09）までに行います。",
    }
    assert len(find_all(html, "table")) == 2
    rows = texts(html, "tr")
    assert len(rows) == 1 + 38 + 1 + 2  # each table's header row and its rows
    assert rows[1] == "1.1.1 非テキストコンテンツ A 自動試験と目視確認 適合 2件 目視確認の項目"
    assert "1.3.1 情報及び関係性 A 自動試験と目視確認 不適合 2件 1件のページで問題（規則：label）" in rows
    assert "1.2.2 キャプション（収録済み） A 目視確認 自動試験の対象外 1件 目視確認の項目" in rows
    assert "1.4.3 コントラスト（最低限レベル） AA 自動試験 要確認 2件 自動では判定できなかった要素を目視で確認" in rows
    assert "4.1.1 構文解析 A 自動試験 適合 3件" in rows
    assert rows[-2:] == [
        "/seminars/demo/register/ 参加申込 | 総務省 地域振興室（入力エラーを表示） スマートフォン 390×844 label",
        "/seminars/demo/register/ 参加申込 | 総務省 地域振興室 パソコン 1280×800 なし",
    ]
    assert [text for text in texts(html, "li") if "：" in text and "件" in text] == [
        "適合：3件", "不適合：2件", "要確認：1件", "自動試験の対象外：32件",
    ]  # fmt: skip


@pytest.mark.django_db
def test_results_page_without_results_says_none_are_published(client, unpublished):
    response = client.get("/accessibility/results/")

    assert response.status_code == 200
    assert "試験結果はまだ公開していません。" in texts(response.content, "p")
    assert find_all(response.content, "table") == []


@pytest.mark.django_db
def test_policy_page_states_target_scope_and_the_latest_test(client, published):
    response = client.get("/accessibility/")

    assert response.status_code == 200
    paragraphs = texts(response.content, "p")
    assert "「JIS X 8341-3:2016のレベルAAに準拠」することを目標とします。" in paragraphs
    assert "最新の試験は令和8年3月9日（月）（2026-03-09）に行い、2件のページを試験しました。" in paragraphs
    assert any(text.startswith("試験は少なくとも1年に1回行い、結果を公開します。次回の試験は令和9年3月9日（火）（2027-03-09）までに行います。") for text in paragraphs)
    assert texts(response.content, "dt") == ["準拠", "一部準拠", "配慮"]
    # The manual check list: every criterion a person checks, with what to check.
    assert len(find_all(response.content, "tr")) == 1 + 35


@pytest.mark.django_db
def test_policy_page_without_results_gives_no_test_date(client, unpublished):
    response = client.get("/accessibility/")

    assert response.status_code == 200
    paragraphs = texts(response.content, "p")
    assert "試験結果はまだ公開していません。" in paragraphs
    assert [text for text in paragraphs if text.startswith("最新の試験は")] == []


@pytest.mark.django_db
def test_footer_links_the_policy_on_every_page(client, unpublished):
    links = find_all(client.get("/").content, "a", href="/accessibility/")

    assert [link.text for link in links] == ["ウェブアクセシビリティ方針"]
