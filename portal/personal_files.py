"""The 個人情報ファイル簿 (個人情報保護法 Art. 75) of what this portal stores, as data.

One PersonalDataFile per file the ministry holds through the portal; each names the models it is
kept in and, for every model, which fields are recorded about the person (記録項目, shown on the
page with the model's own field names) and which are not (ids, links to events, secrets that
only let the person act). tests/portal/test_personal_files.py compares this with the models:
a field added to one of them, or a new model that stores an address, a name or a client
address, fails the test until it is classified here.

Files about the ministry's own staff in their work (their admin accounts, the access records
of personal-data exports) are outside the file簿 (Art. 74(2)(i)); they are listed in
STAFF_ONLY_MODELS so that the test knows them.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class StoredModel:
    label: str  # "app_label.ModelName"
    personal: tuple[str, ...]  # recorded about the person: the 記録項目
    other: tuple[str, ...]  # not about the person
    # Japanese item names where the model's own verbose_name is not (a third-party model).
    item_names: dict[str, str] = field(default_factory=dict)

    @property
    def model(self):
        return apps.get_model(self.label)

    def items(self) -> list[str]:
        fields = {f.name: f for f in self.model._meta.concrete_fields}
        return [str(self.item_names.get(name) or fields[name].verbose_name) for name in self.personal]


@dataclass(frozen=True)
class PersonalDataFile:
    key: str
    name: str
    purpose: str
    subjects: str  # 記録範囲: whose data
    sources: str  # 記録情報の収集方法
    retention: str
    sensitive: str  # 要配慮個人情報が含まれるとき、その旨
    stored_in: tuple[StoredModel, ...]
    recipients: str = _("なし（法令に基づく場合を除き、第三者に提供しません。）")

    def items(self) -> list[str]:
        seen: list[str] = []
        for stored in self.stored_in:
            seen += [item for item in stored.items() if item not in seen]
        return seen


def _event_retention() -> str:
    return _("開催終了日から%(days)d日を経過した後に削除（氏名・連絡先などを匿名化。統計に使う項目は個人を特定できない形で残ります）。") % {
        "days": settings.PERSONAL_DATA_RETENTION_DAYS
    }


def personal_data_files() -> list[PersonalDataFile]:
    """The file簿 in the active language (retention periods from the settings)."""
    return [
        PersonalDataFile(
            key="seminar-registrations",
            name=_("地域運営組織 全国セミナー参加申込者ファイル"),
            purpose=_(
                "全国セミナーの参加申込みの受付、参加者への連絡（申込内容の確認、オンライン参加用URLの送付、"
                "開催内容の変更等のお知らせ）、当日の受付、及び参加者数の集計（個人を特定できない統計）のため。"
            ),
            subjects=_("本ポータル又は電話で全国セミナーに参加を申し込んだ者"),
            sources=_("本人が申込フォームに入力（電話で申し込んだ場合は、本人の申出に基づき職員が入力）"),
            retention=_event_retention(),
            sensitive=_("「配慮が必要な事項」に本人が心身の状態を記入した場合は、要配慮個人情報が含まれることがあります。"),
            stored_in=(
                StoredModel(
                    "seminars.Registration",
                    personal=(
                        "name", "kana", "email", "email_normalized", "affiliation", "category", "municipality", "mode",
                        "status", "joins_exchange", "accessibility_needs", "consent_at", "source", "created_at",
                        "confirmed_at", "cancelled_at", "checked_in_at",
                    ),
                    other=("id", "seminar", "number", "token", "checkin_token", "reminder_sent_at", "anonymized_at"),
                ),
                StoredModel("seminars.RegistrationChange", personal=(
                    "old_mode", "new_mode", "old_joins_exchange", "new_joins_exchange", "old_status", "created_at",
                ), other=("id", "registration")),
                StoredModel("seminars.MessageDelivery", personal=(), other=("id", "message", "registration")),
            ),
        ),
        PersonalDataFile(
            key="summit-applications",
            name=_("全国市町村長サミット参加申込ファイル"),
            purpose=_(
                "全国市町村長サミットへの市区町村の参加申込みの受付、分科会・現地視察の定員管理、申込担当者及び"
                "参加者への連絡、当日の名札・受付の準備、及び参加状況の集計（個人を特定できない統計）のため。"
            ),
            subjects=_("全国市町村長サミットに参加を申し込んだ市区町村の申込担当者及び参加者（首長・随行者）"),
            sources=_("市区町村の申込担当者が申込フォームに入力"),
            retention=_event_retention(),
            sensitive=_("「食事の配慮」「移動・設備の配慮」に心身の状態が記入された場合は、要配慮個人情報が含まれることがあります。"),
            stored_in=(
                StoredModel(
                    "summits.Application",
                    personal=(
                        "municipality", "contact_name", "contact_department", "contact_email", "contact_phone",
                        "consented_at", "status", "created_at", "updated_at",
                    ),
                    other=("id", "summit", "token", "submission_key", "anonymized_at"),
                ),
                StoredModel(
                    "summits.Delegate",
                    personal=(
                        "role", "name", "name_kana", "title", "email", "track", "site_visit_course", "dietary_needs",
                        "accessibility_needs",
                    ),
                    other=("id", "application", "order", "anonymized_at"),
                ),
            ),
        ),
        PersonalDataFile(
            key="editor-accounts",
            name=_("地域運営組織ディレクトリ 自治体担当者アカウントファイル"),
            purpose=_(
                "市区町村・都道府県の担当者が地域運営組織の掲載内容を更新するためのアカウントの管理、ログインの"
                "安全確保（不正なログインの検知と一時的な制限）、及び申請の審査結果の連絡のため。"
            ),
            subjects=_("本ポータルのアカウントを持つ市区町村・都道府県の担当者"),
            sources=_("職員が招待メールを送り、本人が登録。ログインの記録はログインの際に自動で記録"),
            retention=_(
                "アカウントは利用を終えて削除されるまで。ログインの記録（接続元アドレス、ブラウザの種類）は"
                "%(days)d日を経過した後に削除。"
            )
            % {"days": settings.LOGIN_RECORD_RETENTION_DAYS},
            sensitive=_("含まれません。"),
            stored_in=(
                StoredModel(
                    "auth.User",
                    personal=("username", "first_name", "last_name", "email", "last_login", "date_joined", "is_active"),
                    other=("id", "password", "is_superuser", "is_staff"),
                ),
                StoredModel("accounts.EditorScope", personal=("municipality", "prefecture"), other=("id", "user")),
                StoredModel(
                    "accounts.Invitation",
                    personal=("email", "created_at", "expires_at", "accepted_at"),
                    other=("id", "user", "invited_by"),
                ),
                StoredModel("accounts.AccountSecurity", personal=(), other=("user", "session_epoch")),
                StoredModel(
                    "axes.AccessLog",
                    personal=("username", "ip_address", "user_agent", "attempt_time", "logout_time"),
                    other=("id", "http_accept", "path_info", "session_hash"),
                    item_names={
                        "username": _("ユーザー名"),
                        "ip_address": _("接続元アドレス"),
                        "user_agent": _("ブラウザの種類（User-Agent）"),
                        "attempt_time": _("ログイン日時"),
                        "logout_time": _("ログアウト日時"),
                    },
                ),
                StoredModel(
                    "axes.AccessAttempt",
                    personal=("username", "ip_address", "user_agent", "attempt_time", "failures_since_start"),
                    other=("id", "http_accept", "path_info", "get_data", "post_data"),
                    item_names={
                        "username": _("ユーザー名"),
                        "ip_address": _("接続元アドレス"),
                        "user_agent": _("ブラウザの種類（User-Agent）"),
                        "attempt_time": _("ログインに失敗した日時"),
                        "failures_since_start": _("ログインの失敗回数"),
                    },
                ),
                StoredModel(
                    "axes.AccessFailureLog",
                    personal=("username", "ip_address", "user_agent", "attempt_time", "locked_out"),
                    other=("id", "http_accept", "path_info"),
                    item_names={
                        "username": _("ユーザー名"),
                        "ip_address": _("接続元アドレス"),
                        "user_agent": _("ブラウザの種類（User-Agent）"),
                        "attempt_time": _("ログインに失敗した日時"),
                        "locked_out": _("ログインの一時的な制限"),
                    },
                ),
                StoredModel(
                    "otp_totp.TOTPDevice",
                    personal=("name", "confirmed", "created_at", "last_used_at"),
                    other=(
                        "id", "user", "throttling_failure_timestamp", "throttling_failure_count", "key", "step", "t0",
                        "digits", "tolerance", "drift", "last_t",
                    ),
                    item_names={
                        "name": _("2段階認証の端末名"),
                        "confirmed": _("2段階認証の設定状況"),
                        "created_at": _("2段階認証の設定日時"),
                        "last_used_at": _("2段階認証の最終利用日時"),
                    },
                ),
            ),
        ),
    ]


# Models with people's data that belong to the ministry staff's own work (see the docstring).
STAFF_ONLY_MODELS = {
    "portal.PersonalDataAccessLog": _("職員による個人情報の出力・削除の記録（職員の職務に関するもの）"),
}
# Models with an address field that belongs to an office, not to a person.
OFFICE_MODELS = {
    "portal.PrivacyRequestDesk": _("開示請求等の窓口（組織）の連絡先"),
}
