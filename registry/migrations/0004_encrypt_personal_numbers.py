"""ID and passport numbers encrypted at rest, with keyed lookup hashes (core.crypto, core.fields).

Steps: add the hash columns; widen the number columns to hold ciphertexts (dropping the
unique index on the clear ID number); encrypt every existing row and fill its hashes; then
declare the encrypted fields and move uniqueness onto the ID number's hash.
"""
from django.db import migrations, models

import core.fields
import core.validators

forward, backward = core.fields.column_migration("registry", "Person", ["id_number", "passport_number"])


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0003_list_filter_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="id_number_hash",
            field=core.fields.LookupHashField(source="id_number"),
        ),
        migrations.AddField(
            model_name="person",
            name="passport_number_hash",
            field=core.fields.LookupHashField(source="passport_number"),
        ),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=models.CharField(blank=True, max_length=153, null=True, verbose_name="身份证号"),
        ),
        migrations.AlterField(
            model_name="person",
            name="passport_number",
            field=models.CharField(blank=True, max_length=161, verbose_name="护照号"),
        ),
        migrations.RunPython(forward, backward, elidable=False),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=core.fields.EncryptedCharField(blank=True, hash_field="id_number_hash", max_length=18, null=True,
                                                 validators=[core.validators.validate_id_number],
                                                 verbose_name="身份证号"),
        ),
        migrations.AlterField(
            model_name="person",
            name="passport_number",
            field=core.fields.EncryptedCharField(blank=True, hash_field="passport_number_hash", max_length=20,
                                                 verbose_name="护照号"),
        ),
        migrations.AlterField(
            model_name="person",
            name="id_number_hash",
            field=core.fields.LookupHashField(source="id_number", unique=True),
        ),
        migrations.AlterField(
            model_name="person",
            name="passport_number_hash",
            field=core.fields.LookupHashField(db_index=True, source="passport_number"),
        ),
    ]
