"""受付番号 per seminar: the column, then numbers for the rows that exist, then NOT NULL and unique."""

from django.db import migrations, models
from django.db.models import F, Window
from django.db.models.functions import RowNumber


def number_existing(apps, schema_editor):
    """1, 2, 3 … per seminar in the order people registered (created_at, then id)."""
    Registration = apps.get_model("seminars", "Registration")
    rows = list(
        Registration.objects.annotate(
            position=Window(RowNumber(), partition_by=[F("seminar_id")], order_by=[F("created_at").asc(), F("id").asc()])
        ).only("id")
    )
    for row in rows:
        row.number = row.position
    Registration.objects.bulk_update(rows, ["number"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("seminars", "0004_registrationchange"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="number",
            field=models.PositiveIntegerField(editable=False, null=True, verbose_name="受付番号"),
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop, elidable=True),
    ]
