"""JIS X 8341-3:2016 level AA: its 38 success criteria and the published test results.

JIS X 8341-3:2016 is identical to ISO/IEC 40500:2012, that is WCAG 2.0: level AA is the 25
criteria of level A and the 13 of level AA below. The names are those of the Japanese
translation of WCAG 2.0 by the ウェブアクセシビリティ基盤委員会.

The results come from the browser tests (tests/e2e, ``--accessibility-results``), which write
settings.ACCESSIBILITY_RESULTS_PATH; the /accessibility/results/ page reads that file. An
automated test proves a criterion only as far as its rules reach: a criterion is "適合" in the
automated results when the rules mapped to it (axe-core's ``wcag<number>`` tags, the Nu HTML
Checker for 4.1.1) ran on the tested pages and found nothing. Criteria no tool can decide
(captions, multiple ways, consistent navigation …) are "自動試験の対象外", never "適合":
they are on the manual check list.
"""

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .deadlines import today_jst

logger = logging.getLogger(__name__)

# The version of the results file's layout, written by tests/e2e/checks.py.
RESULTS_FORMAT = 1
RETEST_INTERVAL_YEARS = 1

# How a criterion is tested.
AUTOMATED = "automated"  # the tools decide it for the tested pages
PARTIAL = "partial"  # the tools check a part of it; a person checks the rest
MANUAL = "manual"  # no tool decides it: a person checks it
METHOD_LABELS = {
    AUTOMATED: _("自動試験"),
    PARTIAL: _("自動試験と目視確認"),
    MANUAL: _("目視確認"),
}

# The outcome of the automated test of one criterion.
PASS = "pass"
FAIL = "fail"
REVIEW = "review"  # axe-core could not decide some elements ("incomplete"): a person looks
NOT_AUTOMATED = "not_automated"
OUTCOME_LABELS = {
    PASS: _("適合"),
    FAIL: _("不適合"),
    REVIEW: _("要確認"),
    NOT_AUTOMATED: _("自動試験の対象外"),
}

# A tested page's state besides its plain view (tests/e2e/checks.py ERROR_STATE).
STATE_LABELS = {"errors": _("入力エラーを表示")}


@dataclass(frozen=True)
class Criterion:
    number: str
    level: str
    name: str
    method: str
    manual_check: str  # what a person checks; empty where the tools decide the criterion

    @property
    def axe_tag(self) -> str:
        """axe-core tags its rules with the criteria they test: 1.4.3 is "wcag143"."""
        return "wcag" + self.number.replace(".", "")


def _criterion(number, level, name, method, manual_check=""):
    return Criterion(number=number, level=level, name=name, method=method, manual_check=manual_check)


JIS_AA_CRITERIA: tuple[Criterion, ...] = (
    _criterion("1.1.1", "A", _("非テキストコンテンツ"), PARTIAL,
               _("画像・QRコード・グラフの代替テキストが、画像と同じ内容を伝えているか。装飾の画像は読み上げられないか。")),
    _criterion("1.2.1", "A", _("音声のみ及び映像のみ（収録済み）"), MANUAL,
               _("収録済みの音声だけ・映像だけのコンテンツがあれば、同じ内容のテキストがあるか。")),
    _criterion("1.2.2", "A", _("キャプション（収録済み）"), MANUAL,
               _("収録済みの動画があれば、音声の内容を伝えるキャプション（字幕）があるか。")),
    _criterion("1.2.3", "A", _("音声解説、又はメディアに対する代替（収録済み）"), MANUAL,
               _("収録済みの動画があれば、映像の内容を伝える音声解説又はテキストがあるか。")),
    _criterion("1.2.4", "AA", _("キャプション（ライブ）"), MANUAL,
               _("ライブ配信があれば、音声の内容を伝えるキャプションがあるか。")),
    _criterion("1.2.5", "AA", _("音声解説（収録済み）"), MANUAL,
               _("収録済みの動画があれば、映像の内容を伝える音声解説があるか。")),
    _criterion("1.3.1", "A", _("情報及び関係性"), PARTIAL,
               _("見出し・リスト・表・入力欄のラベルが、見た目どおりの構造でマークアップされているか。")),
    _criterion("1.3.2", "A", _("意味のある順序"), MANUAL,
               _("CSSを無効にしたとき、又は読み上げたときに、内容が意味の通る順序で並ぶか。")),
    _criterion("1.3.3", "A", _("感覚的な特徴"), MANUAL,
               _("説明が「右の」「赤い」など形・位置・色だけに頼らず、名前でも示しているか。")),
    _criterion("1.4.1", "A", _("色の使用"), PARTIAL,
               _("必須の項目・エラー・リンクなど、色だけで区別している情報がないか。")),
    _criterion("1.4.2", "A", _("音声の制御"), PARTIAL,
               _("自動で再生され3秒を超えて続く音声がないか。あれば止める手段があるか。")),
    _criterion("1.4.3", "AA", _("コントラスト（最低限レベル）"), AUTOMATED),
    _criterion("1.4.4", "AA", _("テキストのサイズ変更"), PARTIAL,
               _("ブラウザで文字を200%に拡大しても、文字が欠けたり重なったりせず、すべての機能が使えるか。")),
    _criterion("1.4.5", "AA", _("文字画像"), MANUAL,
               _("ロゴ以外で、文字を画像にして情報を伝えていないか。")),
    _criterion("2.1.1", "A", _("キーボード"), PARTIAL,
               _("すべてのリンク・ボタン・入力欄・メニューをキーボードだけで操作できるか。")),
    _criterion("2.1.2", "A", _("キーボードトラップなし"), MANUAL,
               _("キーボードでフォーカスを移したとき、抜け出せなくなる箇所がないか。")),
    _criterion("2.2.1", "A", _("タイミング調整可能"), PARTIAL,
               _("入力中にログインの有効時間が切れる場合、その時間が事前に示され、やり直せるか。")),
    _criterion("2.2.2", "A", _("一時停止、停止、非表示"), PARTIAL,
               _("5秒を超えて動き続ける、点滅する、自動で更新される内容がないか。あれば止められるか。")),
    _criterion("2.3.1", "A", _("3回の閃光、又は閾値以下"), MANUAL,
               _("1秒間に3回を超えて点滅する内容がないか。")),
    _criterion("2.4.1", "A", _("ブロックスキップ"), PARTIAL,
               _("「本文へ移動」のリンクが最初のフォーカス先にあり、本文へ移動できるか。")),
    _criterion("2.4.2", "A", _("ページタイトル"), PARTIAL,
               _("各ページのタイトルが、そのページの内容を表しているか。")),
    _criterion("2.4.3", "A", _("フォーカス順序"), MANUAL,
               _("キーボードでフォーカスを移す順序が、意味及び操作の順序に沿っているか。")),
    _criterion("2.4.4", "A", _("リンクの目的（コンテキスト内）"), PARTIAL,
               _("リンクのテキスト（又はその前後の文脈）から、リンク先が分かるか。")),
    _criterion("2.4.5", "AA", _("複数の手段"), MANUAL,
               _("各ページに、メニュー・フッター・検索など複数の方法でたどり着けるか。")),
    _criterion("2.4.6", "AA", _("見出し及びラベル"), MANUAL,
               _("見出しと入力欄のラベルが、内容又は目的を表しているか。")),
    _criterion("2.4.7", "AA", _("フォーカスの可視化"), MANUAL,
               _("キーボードでフォーカスした要素が、画面上で見て分かるか。")),
    _criterion("3.1.1", "A", _("ページの言語"), AUTOMATED),
    _criterion("3.1.2", "AA", _("一部分の言語"), PARTIAL,
               _("ページの言語と違う言語の部分（英語表記の名称など）に、その言語が指定されているか。")),
    _criterion("3.2.1", "A", _("フォーカス時"), MANUAL,
               _("要素にフォーカスしただけで、ページの移動やフォームの送信が起きないか。")),
    _criterion("3.2.2", "A", _("入力時"), MANUAL,
               _("選択肢を選ぶ・文字を入力するだけで、予告なくページの移動や送信が起きないか。")),
    _criterion("3.2.3", "AA", _("一貫したナビゲーション"), MANUAL,
               _("ヘッダー・メニュー・フッターが、どのページでも同じ順序で並んでいるか。")),
    _criterion("3.2.4", "AA", _("一貫した識別性"), MANUAL,
               _("同じ働きのリンク・ボタンに、どのページでも同じ名前が付いているか。")),
    _criterion("3.3.1", "A", _("エラーの特定"), MANUAL,
               _("申込フォームを誤って送信したとき、誤りのある項目と内容がテキストで示されるか。")),
    _criterion("3.3.2", "A", _("ラベル又は説明"), PARTIAL,
               _("入力欄に、何をどの形式で入力するかのラベル又は説明があるか。")),
    _criterion("3.3.3", "AA", _("エラー修正の提案"), MANUAL,
               _("エラーの表示が、どう直せばよいかを示しているか。")),
    _criterion("3.3.4", "AA", _("エラー回避（法的、金融、データ）"), MANUAL,
               _("申込の送信前に内容を確かめられるか、送信後に確認・変更・取消ができるか。")),
    _criterion("4.1.1", "A", _("構文解析"), AUTOMATED),
    _criterion("4.1.2", "A", _("名前（name）・役割（role）及び値（value）"), PARTIAL,
               _("独自の部品（メニューボタンなど）の名前・役割・状態が、読み上げで正しく伝わるか。")),
)  # fmt: skip

# 4.1.1 is decided by the Nu HTML Checker (a page's source without parsing errors), not axe-core.
HTML_CHECKER_CRITERION = "4.1.1"


# ---------------------------------------------------------------- the results file


@dataclass(frozen=True)
class TestedPage:
    """One page in one state (for example a form with its errors shown) at one viewport."""

    path: str
    title: str
    viewport: str  # "390x844"
    state: str
    tests: list[str]
    passes: frozenset[str]
    violations: dict[str, int]  # rule id → elements that failed
    incomplete: dict[str, int]  # rule id → elements axe-core could not decide

    @property
    def is_phone(self) -> bool:
        return int(self.viewport.split("x", 1)[0]) < 768

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def viewport_label(self) -> str:
        return self.viewport.replace("x", "×")

    @property
    def violated_rules(self) -> list[str]:
        return sorted(self.violations)


@dataclass(frozen=True)
class HtmlCheckError:
    test: str
    document: str
    message: str


@dataclass(frozen=True)
class TestResults:
    tested_at: dt.datetime
    tools: dict[str, object]
    session: dict[str, int]
    rule_tags: dict[str, list[str]]
    pages: list[TestedPage]
    html_documents: int
    html_errors: list[HtmlCheckError]

    @property
    def phone_pages(self) -> int:
        return sum(1 for page in self.pages if page.is_phone)

    @property
    def desktop_pages(self) -> int:
        return len(self.pages) - self.phone_pages

    @property
    def tested_on(self) -> dt.date:
        return today_jst(self.tested_at)

    @property
    def retest_due(self) -> dt.date:
        """The next test is due within a year of this one (the policy's yearly re-test)."""
        tested = self.tested_on
        try:
            return tested.replace(year=tested.year + RETEST_INTERVAL_YEARS)
        except ValueError:  # 29 February
            return tested.replace(year=tested.year + RETEST_INTERVAL_YEARS, day=28)


def results_from_data(data: dict) -> TestResults:
    """The results file's JSON (written by tests/e2e/checks.py) as objects."""
    if data.get("format") != RESULTS_FORMAT:
        raise ValueError(f"unknown accessibility results format {data.get('format')!r}")
    pages = [
        TestedPage(
            path=page["path"],
            title=page["title"],
            viewport=page["viewport"],
            state=page.get("state", ""),
            tests=list(page["tests"]),
            passes=frozenset(page["passes"]),
            violations=dict(page["violations"]),
            incomplete=dict(page["incomplete"]),
        )
        for page in data["pages"]
    ]
    return TestResults(
        tested_at=dt.datetime.fromisoformat(data["tested_at"]),
        tools=dict(data["tools"]),
        session={key: int(value) for key, value in data["session"].items()},
        rule_tags={rule: list(tags) for rule, tags in data["rules"].items()},
        pages=pages,
        html_documents=int(data["html"]["documents"]),
        html_errors=[HtmlCheckError(**error) for error in data["html"]["errors"]],
    )


def results_load(path: Path | None = None) -> TestResults | None:
    """The published results, or None while none are (no file, or one this code cannot read)."""
    path = Path(settings.ACCESSIBILITY_RESULTS_PATH if path is None else path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        logger.error("accessibility results %s are not JSON", path)
        return None
    try:
        return results_from_data(data)
    except (KeyError, TypeError, ValueError) as error:
        logger.error("accessibility results %s cannot be read: %s", path, error)
        return None


# ---------------------------------------------------------------- criteria from the results


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    outcome: str
    pages_tested: int  # pages on which a rule of the criterion applied (HTML documents for 4.1.1)
    pages_failed: int
    rules: list[str] = field(default_factory=list)  # the rules that test it
    failed_rules: list[str] = field(default_factory=list)

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.criterion.method]


def _html_checker_result(criterion: Criterion, results: TestResults) -> CriterionResult:
    failed = {(error.test, error.document) for error in results.html_errors}
    if results.html_documents == 0:
        outcome = NOT_AUTOMATED
    else:
        outcome = FAIL if failed else PASS
    return CriterionResult(criterion, outcome, results.html_documents, len(failed), ["Nu HTML Checker"], [])


def criterion_result(criterion: Criterion, results: TestResults) -> CriterionResult:
    """The automated outcome of one criterion over every tested page.

    A violation on any page is 不適合, whatever the criterion's method. Otherwise a manual
    criterion stays 自動試験の対象外 even where a rule passed (a video rule that found no
    video proves nothing about captions), and so does one whose rules applied to no page.
    """
    if criterion.number == HTML_CHECKER_CRITERION:
        return _html_checker_result(criterion, results)
    rules = sorted(rule for rule, tags in results.rule_tags.items() if criterion.axe_tag in tags)
    wanted = set(rules)
    tested = failed = undecided = 0
    failed_rules: set[str] = set()
    for page in results.pages:
        violated = wanted & page.violations.keys()
        applied = violated or wanted & page.incomplete.keys() or wanted & page.passes
        if not applied:
            continue
        tested += 1
        if violated:
            failed += 1
            failed_rules |= violated
        elif wanted & page.incomplete.keys():
            undecided += 1
    if failed:
        outcome = FAIL
    elif criterion.method == MANUAL or not tested:
        outcome = NOT_AUTOMATED
    elif undecided:
        outcome = REVIEW
    else:
        outcome = PASS
    return CriterionResult(criterion, outcome, tested, failed, rules, sorted(failed_rules))


def criteria_results(results: TestResults) -> list[CriterionResult]:
    return [criterion_result(criterion, results) for criterion in JIS_AA_CRITERIA]


def outcome_counts(criteria: list[CriterionResult]) -> list[tuple[str, int]]:
    """(label, how many criteria) for each outcome, in the order of OUTCOME_LABELS."""
    return [(label, sum(1 for result in criteria if result.outcome == outcome)) for outcome, label in OUTCOME_LABELS.items()]


def manual_check_list() -> list[Criterion]:
    return [criterion for criterion in JIS_AA_CRITERIA if criterion.method != AUTOMATED]
