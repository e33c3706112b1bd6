import pytest

from organizations import exports
from organizations.models import Organization
from tests.factories import ActivityCategoryFactory, FundingCategoryFactory, MemberTypeFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_batch_lookup_used_on_sqlite_gives_the_same_names_as_the_postgresql_subqueries():
    first, second = ActivityCategoryFactory(sort_order=2), ActivityCategoryFactory(sort_order=1)
    funding, member = FundingCategoryFactory(), MemberTypeFactory()
    a = OrganizationFactory(activities=[first, second], funding_sources=[funding], member_types=[member])
    b = OrganizationFactory()

    (batch,) = exports._batches(Organization.objects.order_by("id"))
    by_batch = exports._related_names([a.pk, b.pk])

    assert [row["activities_names"] for row in batch] == [[second.name, first.name], []]
    assert by_batch["activities"][a.pk] == [second.name, first.name]
    assert by_batch["funding_sources"][a.pk] == batch[0]["funding_sources_names"] == [funding.name]
    assert by_batch["member_types"][a.pk] == batch[0]["member_types_names"] == [member.name]
    assert b.pk not in by_batch["activities"]


def test_export_query_count_does_not_grow_with_rows(django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    for _ in range(5):
        OrganizationFactory(activities=[ActivityCategoryFactory()])

    with django_assert_max_num_queries(1):
        lines = list(exports.csv_rows(Organization.objects.order_by("id")))

    assert "".join(lines).count("\n") == 6  # header and five rows
