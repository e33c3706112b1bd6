"""A check-in token of its own for every registration (the 受付票 QR no longer carries the
person's self-service token). Existing rows get a fresh token each, then the column becomes
required and unique."""

from django.db import migrations, models

import portal.tokens


def fill_checkin_tokens(apps, schema_editor):
    Registration = apps.get_model("seminars", "Registration")
    rows = list(Registration.objects.only("pk"))
    for row in rows:
        row.checkin_token = portal.tokens.new_token()
    Registration.objects.bulk_update(rows, ["checkin_token"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("seminars", "0002_registration_anonymized_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="checkin_token",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="受付票トークン"),
        ),
        migrations.RunPython(fill_checkin_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="registration",
            name="checkin_token",
            field=models.CharField(
                default=portal.tokens.new_token, editable=False, max_length=64, unique=True, verbose_name="受付票トークン"
            ),
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.CheckConstraint(
                condition=models.Q(("checkin_token__regex", "^[A-Za-z0-9_-]{22,}$"))
                & models.Q(("checkin_token", models.F("token")), _negated=True),
                name="registration_checkin_token_128_bits_and_own",
            ),
        ),
    ]
