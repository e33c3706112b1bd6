"""A realistic, entirely fictional registry for demos and benchmarks.

Distributions follow the ministry's surveys (../shared/data/rmo_survey_facts.md): legal form
(FY2022), activities, members and funding (multiple answers, each a Bernoulli draw at its
survey share), the share with a base and with a public-facility base. Names follow the usual
patterns (〇〇地区振興会, 〇〇まちづくり協議会 …) and come with their reading.
"""

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from municipalities.enums import MunicipalityKind
from municipalities.models import Municipality

from .enums import AreaType, LegalForm, OrganizationType
from .models import ActivityCategory, FundingCategory, MemberType, Organization
from .search import build_search_text, municipality_place_text
from .services import organization_history_bulk_record, registry_changed

GENERATED_SOURCE = "generate_organizations（架空のデモデータ）"
SURVEY_MUNICIPALITIES = 893

LEGAL_FORMS = [
    (LegalForm.VOLUNTARY, 90.9),
    (LegalForm.NPO, 3.9),
    (LegalForm.AUTHORIZED_NEIGHBORHOOD, 2.3),
    (LegalForm.GENERAL_INCORPORATED, 1.2),
    (LegalForm.STOCK_COMPANY, 0.6),
    (LegalForm.LIMITED_LIABILITY_COMPANY, 0.4),
    (LegalForm.COOPERATIVE, 0.3),
    (LegalForm.OTHER, 0.4),
]
LEGAL_FORM_PREFIX = {
    LegalForm.NPO: ("特定非営利活動法人", ""),
    LegalForm.GENERAL_INCORPORATED: ("一般社団法人", ""),
    LegalForm.STOCK_COMPANY: ("株式会社", ""),
    LegalForm.LIMITED_LIABILITY_COMPANY: ("合同会社", ""),
}
# 「主に（旧）小学校区」; the rest spread over the other areas.
AREA_TYPES = [
    (AreaType.ELEMENTARY_SCHOOL, 38),
    (AreaType.FORMER_ELEMENTARY_SCHOOL, 22),
    (AreaType.SETTLEMENT, 10),
    (AreaType.COMMUNITY_CENTER, 12),
    (AreaType.JUNIOR_HIGH_SCHOOL, 8),
    (AreaType.WHOLE_MUNICIPALITY, 5),
    (AreaType.OTHER, 5),
]
ACTIVITY_SHARES = {
    "events": 0.684, "exchange": 0.668, "health": 0.602, "disaster_prevention": 0.591,
    "elderly_exchange": 0.509, "watching": 0.412, "experience_exchange": 0.344, "public_facility": 0.267,
    "newsletter": 0.59, "shopping_support": 0.10, "mobility": 0.06, "store_gas_station": 0.03,
    "childcare": 0.25, "satoyama": 0.08, "local_products": 0.06,
}  # fmt: skip
MEMBER_SHARES = {"neighborhood_association": 0.782, "welfare": 0.587, "youth": 0.506, "other": 0.3}
FUNDING_SHARES = {
    "municipal_subsidy": 0.80, "membership_fees": 0.372, "business_income": 0.215,
    "donations": 0.203, "user_fees": 0.179,
}  # fmt: skip

PLACE_FIRST = [
    ("東", "ひがし"), ("西", "にし"), ("南", "みなみ"), ("北", "きた"), ("上", "かみ"), ("下", "しも"),
    ("中", "なか"), ("大", "おお"), ("小", "こ"), ("新", "しん"), ("高", "たか"), ("長", "なが"),
    ("石", "いし"), ("黒", "くろ"), ("白", "しら"), ("赤", "あか"), ("青", "あお"), ("松", "まつ"),
    ("杉", "すぎ"), ("竹", "たけ"), ("梅", "うめ"), ("桜", "さくら"), ("宮", "みや"), ("神", "かみ"),
    ("寺", "てら"), ("川", "かわ"), ("山", "やま"), ("浜", "はま"), ("平", "ひら"), ("岩", "いわ"),
]  # fmt: skip
PLACE_SECOND = [
    ("山", "やま"), ("川", "かわ"), ("田", "た"), ("野", "の"), ("原", "はら"), ("谷", "たに"),
    ("沢", "さわ"), ("岡", "おか"), ("島", "しま"), ("浦", "うら"), ("木", "き"), ("森", "もり"),
    ("崎", "さき"), ("瀬", "せ"), ("井", "い"), ("畑", "はた"), ("町", "まち"), ("倉", "くら"),
    ("尾", "お"), ("江", "え"),
]  # fmt: skip
SUFFIXES = [
    ("地区振興会", "ちくしんこうかい", 20),
    ("まちづくり協議会", "まちづくりきょうぎかい", 18),
    ("地域自治協議会", "ちいきじちきょうぎかい", 14),
    ("地区住民自治協議会", "ちくじゅうみんじちきょうぎかい", 10),
    ("振興会", "しんこうかい", 8),
    ("地域づくり協議会", "ちいきづくりきょうぎかい", 8),
    ("自治振興区", "じちしんこうく", 6),
    ("地域運営協議会", "ちいきうんえいきょうぎかい", 6),
    ("コミュニティ協議会", "こみゅにてぃきょうぎかい", 6),
    ("郷づくり協議会", "さとづくりきょうぎかい", 4),
]
NUMERALS = [("第二", "だいに"), ("第三", "だいさん"), ("第四", "だいよん"), ("第五", "だいご")]


@dataclass
class GenerationResult:
    organizations: int
    municipalities: int


def _weighted(rng: random.Random, options: Sequence[tuple]) -> object:
    return rng.choices([o[0] for o in options], weights=[o[-1] for o in options])[0]


# Larger places form more organizations (more school districts); a draw per municipality adds
# the spread the survey shows. The cap keeps any one municipality to a plausible share, so that
# maps and tables of generated data look like the country's, not like one village's.
KIND_WEIGHTS = {
    MunicipalityKind.DESIGNATED_CITY: 4.0,
    MunicipalityKind.CITY: 2.0,
    MunicipalityKind.SPECIAL_WARD: 1.5,
    MunicipalityKind.TOWN: 1.0,
    MunicipalityKind.VILLAGE: 0.6,
}
MAX_SHARE = 0.01  # of all generated organizations, in one municipality
MAX_TIMES_MEAN = 3  # …unless so few municipalities are asked for that the share cannot hold


@dataclass
class _Place:
    """A municipality that gets organizations; a designated city's go to its wards."""

    municipality: Municipality
    wards: list[Municipality]

    def pick(self, rng: random.Random) -> Municipality:
        return rng.choice(self.wards) if self.wards else self.municipality


def _municipality_pool(rng: random.Random, count: int) -> list[_Place]:
    master = Municipality.objects.select_related("prefecture", "parent").order_by("code")  # for the search text
    municipalities = list(master.exclude(kind=MunicipalityKind.WARD))
    wards: dict[str, list[Municipality]] = {}
    for ward in master.filter(kind=MunicipalityKind.WARD):
        wards.setdefault(ward.parent_id, []).append(ward)
    chosen = rng.sample(municipalities, min(count, len(municipalities)))
    return [_Place(municipality=m, wards=wards.get(m.code, [])) for m in chosen]


def municipality_cap(total: int, slots: int) -> int:
    return max(math.ceil(total * MAX_SHARE), math.ceil(MAX_TIMES_MEAN * total / slots))


def _distribute(rng: random.Random, total: int, kinds: Sequence[str]) -> list[int]:
    """How many organizations each municipality gets: at least one each (when there are enough),
    the rest in proportion to a weight per municipality, none above municipality_cap."""
    slots = len(kinds)
    if slots == 0:
        return []
    weights = [KIND_WEIGHTS.get(kind, 1.0) * rng.lognormvariate(0, 0.75) for kind in kinds]
    cap = municipality_cap(total, slots)
    counts = [1] * slots if total >= slots else [0] * slots
    remaining = total - sum(counts)
    while remaining > 0:
        room = [i for i in range(slots) if counts[i] < cap]
        scale = sum(weights[i] for i in room)
        given = 0
        for i in room:
            add = min(cap - counts[i], int(remaining * weights[i] / scale))
            counts[i] += add
            given += add
        if given == 0:  # what is left is less than one per share: one at a time, by weight
            i = rng.choices(room, weights=[weights[i] for i in room])[0]
            counts[i] += 1
            given = 1
        remaining -= given
    return counts


def _names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    names: dict[str, str] = {}
    attempts = 0
    while len(names) < count:
        attempts += 1
        first, first_kana = rng.choice(PLACE_FIRST)
        second, second_kana = rng.choice(PLACE_SECOND)
        suffix, suffix_kana, _weight = rng.choices(SUFFIXES, weights=[s[2] for s in SUFFIXES])[0]
        name, kana = f"{first}{second}{suffix}", f"{first_kana}{second_kana}{suffix_kana}"
        if attempts > count * 4:
            numeral, numeral_kana = NUMERALS[attempts % len(NUMERALS)]
            name = f"{first}{second}{numeral}{suffix}"
            kana = f"{first_kana}{second_kana}{numeral_kana}{suffix_kana}"
            if name in names:
                name, kana = f"{name}（{attempts}）", kana
        names.setdefault(name, kana)
    return list(names.items())


def organizations_generate(
    *,
    count: int,
    municipalities: int = SURVEY_MUNICIPALITIES,
    seed: int = 2024,
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> GenerationResult:
    """Bulk-create ``count`` fictional, published, demo-flagged organizations."""
    rng = random.Random(seed)
    pool = _municipality_pool(rng, municipalities)
    if not pool:
        raise ValueError("no municipalities: run load_municipalities first")
    per_municipality = _distribute(rng, count, [place.municipality.kind for place in pool])
    categories = {
        "activities": {c.slug: c.pk for c in ActivityCategory.objects.all()},
        "members": {c.slug: c.pk for c in MemberType.objects.all()},
        "funding": {c.slug: c.pk for c in FundingCategory.objects.all()},
    }
    taken = set(Organization.objects.values_list("municipality_id", "name"))
    done = 0
    pending: list[tuple[Organization, list[int], list[int], list[int]]] = []

    def flush() -> None:
        nonlocal done
        with transaction.atomic():
            # bulk_create sets the primary keys on PostgreSQL and on SQLite ≥ 3.35.
            Organization.objects.bulk_create([p[0] for p in pending], batch_size=batch_size)
            links = {"activities": [], "member_types": [], "funding_sources": []}
            for organization, activity_ids, member_ids, funding_ids in pending:
                links["activities"] += [
                    Organization.activities.through(organization_id=organization.pk, activitycategory_id=i)
                    for i in activity_ids
                ]
                links["member_types"] += [
                    Organization.member_types.through(organization_id=organization.pk, membertype_id=i)
                    for i in member_ids
                ]
                links["funding_sources"] += [
                    Organization.funding_sources.through(organization_id=organization.pk, fundingcategory_id=i)
                    for i in funding_ids
                ]
            for field, rows in links.items():
                getattr(Organization, field).through.objects.bulk_create(rows, batch_size=batch_size * 4)
            organization_history_bulk_record(
                organizations=[p[0] for p in pending], change_reason=_("デモデータの生成"), batch_size=batch_size
            )
        done += len(pending)
        pending.clear()
        if progress:
            progress(done, count)

    for place, n in zip(pool, per_municipality, strict=True):
        for name, kana in _names(rng, n * 2):
            if n == 0:
                break
            municipality = place.pick(rng)
            legal_form = _weighted(rng, LEGAL_FORMS)
            prefix, _unused = LEGAL_FORM_PREFIX.get(legal_form, ("", ""))
            full_name = f"{prefix}{name}"
            if (municipality.code, full_name) in taken:
                continue
            taken.add((municipality.code, full_name))
            n -= 1
            has_base = rng.random() < 0.953
            area_type = _weighted(rng, AREA_TYPES)
            description = f"{municipality.name}の{area_type.label}を単位に活動する地域運営組織（架空のデモデータ）。"
            organization = Organization(
                municipality=municipality,
                name=full_name,
                name_kana=kana,
                area_type=area_type,
                legal_form=legal_form,
                organization_type=rng.choice([OrganizationType.INTEGRATED, OrganizationType.SEPARATED]),
                founded_year=min(2024, 2000 + int(rng.triangular(0, 25, 15))),
                has_base=has_base,
                base_is_public_facility=(rng.random() < 0.665) if has_base else None,
                description=description,
                survey_year=2024,
                source=GENERATED_SOURCE,
                is_published=True,
                is_demo=True,
                search_text=build_search_text(
                    name=full_name, name_kana=kana, description=description, place=municipality_place_text(municipality)
                ),
            )

            def draw(shares: dict[str, float], ids: dict[str, int]) -> list[int]:
                return [ids[slug] for slug, share in shares.items() if slug in ids and rng.random() < share]

            pending.append(
                (
                    organization,
                    draw(ACTIVITY_SHARES, categories["activities"]),
                    draw(MEMBER_SHARES, categories["members"]),
                    draw(FUNDING_SHARES, categories["funding"]),
                )
            )
            if len(pending) >= batch_size:
                flush()
    if pending:
        flush()
    registry_changed()
    return GenerationResult(organizations=done, municipalities=len(pool))


def organizations_generated_delete() -> int:
    deleted, _by_model = Organization.objects.filter(source=GENERATED_SOURCE, is_demo=True).delete()
    registry_changed()
    return deleted
