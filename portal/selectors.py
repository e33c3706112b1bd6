from django.db.models import Prefetch, QuerySet

from .models import PolicyProgram, PolicyProgramPoint


def policy_program_list_published() -> QuerySet[PolicyProgram]:
    """Published programs with their points: two queries whatever the number of rows."""
    return PolicyProgram.objects.filter(is_published=True).prefetch_related(
        Prefetch("points", queryset=PolicyProgramPoint.objects.order_by("sort_order", "pk"))
    )
