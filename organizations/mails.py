"""Mail builders, run by the task worker (portal.mail) outside any transaction of the request."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.mail import mail_builder

from .enums import RevisionStatus
from .models import ListingRevision
from .services import MAIL_REVISION_REVIEWED


@mail_builder(MAIL_REVISION_REVIEWED)
def build_revision_reviewed(revision_id: int) -> EmailMessage | None:
    """To the editor who submitted: approved (now public) or returned (with the comment).

    Skipped when the proposal is no longer in that state or the editor has no address.
    """
    revision = (
        ListingRevision.objects.select_related(
            "municipality__prefecture", "municipality__parent", "submitted_by", "organization"
        )
        .filter(pk=revision_id)
        .first()
    )
    if revision is None or revision.status not in (RevisionStatus.PUBLISHED, RevisionStatus.RETURNED):
        return None
    editor = revision.submitted_by
    if editor is None or not editor.email:
        return None
    approved = revision.status == RevisionStatus.PUBLISHED
    # An approved edit of a listing the ministry has taken off the site stays off it.
    published = approved and revision.organization.is_published
    body = render_to_string(
        "organizations/mail/revision_reviewed.txt",
        {
            "revision": revision,
            "approved": approved,
            "revision_url": f"{settings.SITE_URL}{reverse('manage:revision_detail', kwargs={'pk': revision.pk})}",
            "published": published,
            "public_url": f"{settings.SITE_URL}{revision.organization.get_absolute_url()}" if published else "",
            "site_url": settings.SITE_URL,
        },
    )
    if approved:
        subject = _("【地域運営組織ポータル】掲載内容が承認されました：%(name)s") % {"name": revision.name}
    else:
        subject = _("【地域運営組織ポータル】掲載内容の申請が差し戻されました：%(name)s") % {"name": revision.name}
    return EmailMessage(subject=subject, body=body, to=[editor.email])
