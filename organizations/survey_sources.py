"""The statistics page's source notes, in Japanese and translatable.

The survey CSV (fixtures/rmo_survey_totals.csv) records each year's source as it was noted,
partly in English. The page shows the translatable sentence written for that exact text; a
source that staff typed or changed in the admin has no entry here and is shown as typed.
Each sentence names the source as the CSV does.
"""

from django.utils.translation import gettext_lazy as _

from .models import SurveyTotal

SOURCE_NOTES = {
    "総務省 地域運営組織の実態 (平成28年10月調査, 1,718市町村回答)": _(
        "総務省「地域運営組織の実態」（平成28年10月調査、1,718市町村回答）"
    ),
    "derived: 平成30年度 4,787組織(711市町村) was +610組織(+36市町村) over 平成29年度 "
    "(日本農業新聞 2019-03 report of the 総務省 survey)": _(
        "平成30年度の4,787組織（711市町村）が平成29年度より610組織（36市町村）多いとする報道"
        "（日本農業新聞 2019年3月、総務省調査の報道）から算出"
    ),
    "総務省 survey reported in 日本農業新聞 (1,741市区町村対象, 1,722回答)": _(
        "総務省調査（日本農業新聞の報道による。1,741市区町村対象、1,722回答）"
    ),
    "総務省 令和元年度地域運営組織の活動状況におけるアンケート調査結果 (1,741対象, 1,694回答)": _(
        "総務省「令和元年度地域運営組織の活動状況におけるアンケート調査結果」（1,741市区町村対象、1,694回答）"
    ),
    "総務省 提出資料 (厚生労働省 検討会 2024-05-31): 令和3年度 6,064団体, 814市区町村": _(
        "総務省提出資料（厚生労働省の検討会、2024年5月31日）：令和3年度 6,064団体、814市区町村"
    ),
    "総務省 提出資料 (厚生労働省 検討会 2024-05-31): 令和4年度 7,207団体, 853市区町村": _(
        "総務省提出資料（厚生労働省の検討会、2024年5月31日）：令和4年度 7,207団体、853市区町村"
    ),
    "総務省 地域振興室 事業説明資料 (令和8年度概算要求): 8,193組織, 893団体 (令和6年度総務省調査)": _(
        "総務省地域振興室 事業説明資料（令和8年度概算要求）：8,193組織、893団体（令和6年度総務省調査）"
    ),
}


def source_note(total: SurveyTotal) -> str:
    """The sentence the page shows for a year's source; empty when none was recorded."""
    source = total.source.strip()
    # str() now, in the request's language: the template tests the note for emptiness.
    return str(SOURCE_NOTES[source]) if source in SOURCE_NOTES else source
