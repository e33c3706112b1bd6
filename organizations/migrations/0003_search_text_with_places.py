"""search_text now holds where an organization is (「岡山県岡山市東区」 and its reading), so a
search for the city, a designated city, the prefecture or a reading finds it: recompute it."""

from django.db import migrations

from organizations.search import build_search_text, place_text


def rebuild(apps, schema_editor):
    Organization = apps.get_model("organizations", "Organization")
    rows = list(Organization.objects.select_related("municipality__prefecture", "municipality__parent"))
    for row in rows:
        municipality = row.municipality
        parent = municipality.parent
        row.search_text = build_search_text(
            name=row.name,
            name_kana=row.name_kana,
            description=row.description,
            place=place_text(
                prefecture=(municipality.prefecture.name, municipality.prefecture.name_kana),
                city=(parent.name, parent.name_kana) if parent else None,
                municipality=(municipality.name, municipality.name_kana),
            ),
        )
    Organization.objects.bulk_update(rows, ["search_text"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0002_listing_revisions_and_history"),
        ("municipalities", "0001_initial"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
