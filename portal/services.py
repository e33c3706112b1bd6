from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from .models import PolicyProgram, PolicyProgramPoint
from .pagecache import version_bump


@dataclass(frozen=True)
class PointData:
    text: str
    heading: str = ""
    note: str = ""


@transaction.atomic
def policy_program_upsert(
    *,
    slug: str,
    title: str,
    abbreviation_note: str = "",
    definition: str = "",
    summary: str = "",
    budget_request_fiscal_year: int | None = None,
    budget_request_million_yen: int | None = None,
    initial_budget_fiscal_year: int | None = None,
    initial_budget_million_yen: int | None = None,
    official_url: str = "",
    sort_order: int = 0,
    is_published: bool = True,
    points: Sequence[PointData] = (),
) -> PolicyProgram:
    """Create or overwrite the program named by ``slug`` and replace its points.

    Running it twice with the same arguments leaves the same rows (the demo loader relies
    on this). Nothing refers to a point, so replacing them all is simpler than matching.
    """
    program, _created = PolicyProgram.objects.update_or_create(
        slug=slug,
        defaults={
            "title": title,
            "abbreviation_note": abbreviation_note,
            "definition": definition,
            "summary": summary,
            "budget_request_fiscal_year": budget_request_fiscal_year,
            "budget_request_million_yen": budget_request_million_yen,
            "initial_budget_fiscal_year": initial_budget_fiscal_year,
            "initial_budget_million_yen": initial_budget_million_yen,
            "official_url": official_url,
            "sort_order": sort_order,
            "is_published": is_published,
        },
    )
    program.points.all().delete()
    PolicyProgramPoint.objects.bulk_create(
        PolicyProgramPoint(
            program=program, sort_order=position * 10, heading=point.heading, text=point.text, note=point.note
        )
        for position, point in enumerate(points, start=1)
    )
    return program


PRIVACY_DESK_VERSION_KEY = "portal:privacy-desk-version"


def privacy_request_desk_changed() -> None:
    """After staff change the 開示請求等 office: the privacy pages that name it are rendered anew."""
    version_bump(PRIVACY_DESK_VERSION_KEY)
