"""What accounts registers with portal.retention: login records, deleted after their own period."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.retention import RecordRetention

from .services import login_records_purge

LOGIN_RECORDS = RecordRetention(
    name="accounts.login_records",
    days=lambda: settings.LOGIN_RECORD_RETENTION_DAYS,
    purge=login_records_purge,
    deleted_message=_("削除したログイン記録（%(days)d日より前）: %(count)d件"),
    dry_run_message=_("削除の対象のログイン記録（%(days)d日より前）: %(count)d件"),
)
