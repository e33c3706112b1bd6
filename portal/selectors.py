from django.db.models import Prefetch, QuerySet

from .models import PolicyProgram, PolicyProgramPoint, PrivacyRequestDesk


def policy_program_list_published() -> QuerySet[PolicyProgram]:
    """Published programs with their points: two queries whatever the number of rows."""
    return PolicyProgram.objects.filter(is_published=True).prefetch_related(
        Prefetch("points", queryset=PolicyProgramPoint.objects.order_by("sort_order", "pk"))
    )


def privacy_request_desk() -> PrivacyRequestDesk | None:
    """The office that takes 開示・訂正・利用停止 requests, if staff have entered it."""
    return PrivacyRequestDesk.objects.order_by("pk").first()
