"""ID numbers encrypted at rest, with a keyed lookup hash (core.crypto, core.fields).

Add the hash column, widen the number column to hold ciphertexts, encrypt the existing rows
and fill their hashes, then declare the encrypted field.
"""
from django.db import migrations, models

import core.fields


forward, backward = core.fields.column_migration("charity", "Beneficiary", ["id_number"])


class Migration(migrations.Migration):

    dependencies = [
        ("charity", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="beneficiary",
            name="id_number_hash",
            field=core.fields.LookupHashField(source="id_number"),
        ),
        migrations.AlterField(
            model_name="beneficiary",
            name="id_number",
            field=models.CharField(blank=True, max_length=153, verbose_name="身份证号"),
        ),
        migrations.RunPython(forward, backward, elidable=False),
        migrations.AlterField(
            model_name="beneficiary",
            name="id_number",
            field=core.fields.EncryptedCharField(blank=True, hash_field="id_number_hash", max_length=18,
                                                 verbose_name="身份证号"),
        ),
        migrations.AlterField(
            model_name="beneficiary",
            name="id_number_hash",
            field=core.fields.LookupHashField(db_index=True, source="id_number"),
        ),
    ]
