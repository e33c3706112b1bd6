# A migration of its own: PostgreSQL refuses ALTER TABLE in the transaction that updated the rows
# while deferred constraint checks are pending.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("seminars", "0005_registration_number"),
    ]

    operations = [
        migrations.AlterField(
            model_name="registration",
            name="number",
            field=models.PositiveIntegerField(editable=False, verbose_name="受付番号"),
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(fields=("seminar", "number"), name="registration_number_unique_per_seminar"),
        ),
    ]
