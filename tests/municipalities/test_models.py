import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import translation

from municipalities.codes import is_valid_code
from municipalities.enums import BASIC_MUNICIPALITY_KINDS, MunicipalityKind
from municipalities.models import Municipality, Prefecture
from tests.factories import PrefectureFactory

HIRAGANA_ONLY = re.compile(r"^[ぁ-ゖー]+$")


def test_master_counts_per_kind(master):
    counts = dict(Municipality.objects.values_list("kind").annotate(n=Count("code")).order_by())

    assert Prefecture.objects.count() == 47
    assert counts == {
        MunicipalityKind.DESIGNATED_CITY: 20,
        MunicipalityKind.CITY: 772,
        MunicipalityKind.TOWN: 743,
        MunicipalityKind.VILLAGE: 183,
        MunicipalityKind.SPECIAL_WARD: 23,
        MunicipalityKind.WARD: 171,
    }


def test_master_has_1741_municipalities_of_which_792_cities(master):
    assert Municipality.objects.filter(kind__in=BASIC_MUNICIPALITY_KINDS).count() == 1741
    cities = Municipality.objects.filter(kind__in=[MunicipalityKind.CITY, MunicipalityKind.DESIGNATED_CITY])
    assert cities.count() == 792


def test_master_every_code_has_a_valid_check_digit(master):
    codes = list(Municipality.objects.values_list("code", flat=True))
    codes += list(Prefecture.objects.values_list("local_government_code", flat=True))

    assert len(codes) == 47 + 1741 + 171
    assert [code for code in codes if not is_valid_code(code)] == []


@pytest.mark.parametrize(
    ("code", "prefecture", "name", "kana", "kind"),
    [
        ("342149", "広島県", "安芸高田市", "あきたかたし", MunicipalityKind.CITY),
        ("202011", "長野県", "長野市", "ながのし", MunicipalityKind.CITY),
        ("052019", "秋田県", "秋田市", "あきたし", MunicipalityKind.CITY),
        ("121002", "千葉県", "千葉市", "ちばし", MunicipalityKind.DESIGNATED_CITY),
        ("402311", "福岡県", "那珂川市", "なかがわし", MunicipalityKind.CITY),
        ("063827", "山形県", "川西町", "かわにしまち", MunicipalityKind.TOWN),
        ("063819", "山形県", "高畠町", "たかはたまち", MunicipalityKind.TOWN),
        ("473260", "沖縄県", "北谷町", "ちゃたんちょう", MunicipalityKind.TOWN),
        ("131016", "東京都", "千代田区", "ちよだく", MunicipalityKind.SPECIAL_WARD),
        ("011002", "北海道", "札幌市", "さっぽろし", MunicipalityKind.DESIGNATED_CITY),
    ],
)
def test_master_sample_rows(master, code, prefecture, name, kana, kind):
    municipality = Municipality.objects.select_related("prefecture").get(code=code)

    assert (municipality.prefecture.name, municipality.name, municipality.name_kana, municipality.kind) == (
        prefecture,
        name,
        kana,
        kind,
    )
    assert municipality.parent_id is None
    assert municipality.latitude is not None and municipality.longitude is not None


def test_master_hamamatsu_has_the_three_wards_of_2024(master):
    wards = Municipality.objects.filter(parent_id="221309").order_by("code")

    assert [(w.code, w.name, w.name_kana) for w in wards] == [
        ("221384", "中央区", "ちゅうおうく"),
        ("221392", "浜名区", "はまなく"),
        ("221406", "天竜区", "てんりゅうく"),
    ]


def test_master_has_none_of_hamamatsus_old_wards(master):
    old = ["221317", "221325", "221333", "221341", "221350", "221368", "221376"]

    assert Municipality.objects.filter(code__in=old).count() == 0


def test_master_every_ward_belongs_to_a_designated_city_of_its_prefecture(master):
    wards = Municipality.objects.filter(kind=MunicipalityKind.WARD).select_related("parent")

    assert {w.parent.kind for w in wards} == {MunicipalityKind.DESIGNATED_CITY}
    assert [w.code for w in wards if w.parent.prefecture_id != w.prefecture_id] == []
    assert (
        Municipality.objects.filter(kind=MunicipalityKind.DESIGNATED_CITY, wards__isnull=True).count() == 0
    )


def test_master_readings_are_hiragana_only(master):
    readings = list(Municipality.objects.values_list("code", "name_kana"))
    readings += list(Prefecture.objects.values_list("code", "name_kana"))

    assert [(code, kana) for code, kana in readings if not HIRAGANA_ONLY.match(kana)] == []


def test_master_municipalities_all_have_town_hall_coordinates_in_japan(master):
    outside = Municipality.objects.exclude(latitude__range=(20, 46), longitude__range=(122, 154))

    assert list(outside.values_list("code", flat=True)) == []


def test_display_name_of_ward_includes_its_city(master):
    ward = Municipality.objects.select_related("prefecture", "parent").get(code="011011")

    assert ward.name == "中央区"
    assert ward.display_name == "札幌市中央区"
    assert str(ward) == "札幌市中央区"
    assert ward.full_name == "北海道札幌市中央区"


def test_display_name_of_municipality_is_its_name(master):
    city = Municipality.objects.select_related("prefecture").get(code="202011")

    assert city.display_name == "長野市"
    assert city.full_name == "長野県長野市"


def test_full_clean_rejects_wrong_check_digit(master):
    municipality = Municipality(
        code="342148", prefecture_id="34", name="安芸高田市", name_kana="あきたかたし", kind=MunicipalityKind.CITY
    )

    with pytest.raises(ValidationError) as excinfo:
        municipality.full_clean()

    assert excinfo.value.message_dict == {
        "code": ["全国地方公共団体コード 342148 の検査数字が正しくありません（正しくは 9）。"]
    }


def test_database_rejects_code_outside_its_prefecture(master):
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(
            code="342157", prefecture_id="13", name="テスト市", name_kana="てすとし", kind=MunicipalityKind.CITY
        )


def test_database_rejects_ward_without_city(master):
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(
            code="011991", prefecture_id="01", name="テスト区", name_kana="てすとく", kind=MunicipalityKind.WARD
        )


def test_database_rejects_parent_on_a_non_ward(master):
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(
            code="011991",
            prefecture_id="01",
            name="テスト町",
            name_kana="てすとちょう",
            kind=MunicipalityKind.TOWN,
            parent_id="011002",
        )


def test_database_rejects_prefecture_code_not_matching_its_local_government_code(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Prefecture.objects.create(
            code="48", local_government_code="130001", name="テスト県", name_kana="てすとけん", name_en="Test"
        )


def test_prefecture_local_name_follows_the_active_language():
    hiroshima = PrefectureFactory.build(code="34")
    with translation.override("en"):
        assert (hiroshima.local_name, str(hiroshima)) == ("Hiroshima", "Hiroshima")
    with translation.override("ja"):
        assert (hiroshima.local_name, str(hiroshima)) == ("広島県", "広島県")
    hiroshima.name_en = ""
    with translation.override("en"):
        assert hiroshima.local_name == "広島県"
