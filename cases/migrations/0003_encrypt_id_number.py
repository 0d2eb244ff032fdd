"""ID numbers encrypted at rest, with a keyed lookup hash (core.crypto, core.fields).

Add the hash column, widen the number column to hold ciphertexts, encrypt the existing rows
and fill their hashes, then declare the encrypted field.
"""
from django.db import migrations, models

import core.fields
import core.validators

forward, backward = core.fields.column_migration("cases", "Case", ["id_number"])


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0002_case_outcome"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="id_number_hash",
            field=core.fields.LookupHashField(source="id_number"),
        ),
        migrations.AlterField(
            model_name="case",
            name="id_number",
            field=models.CharField(blank=True, max_length=153, verbose_name="身份证号"),
        ),
        migrations.RunPython(forward, backward, elidable=False),
        migrations.AlterField(
            model_name="case",
            name="id_number",
            field=core.fields.EncryptedCharField(blank=True, hash_field="id_number_hash", max_length=18,
                                                 validators=[core.validators.validate_id_number], verbose_name="身份证号"),
        ),
        migrations.AlterField(
            model_name="case",
            name="id_number_hash",
            field=core.fields.LookupHashField(db_index=True, source="id_number"),
        ),
    ]
