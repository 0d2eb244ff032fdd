"""ProfileChange.changes: ID and passport numbers stored encrypted; existing rows sealed in place."""
import portal.fields
from django.db import migrations, models
from django.db.models import Q, Value

SENSITIVE = Q(changes__has_key="id_number") | Q(changes__has_key="passport_number")


def seal_existing(apps, schema_editor):
    """Save every change holding an ID or passport number again: the field seals it (idempotent)."""
    ProfileChange = apps.get_model("portal", "ProfileChange")
    db = schema_editor.connection.alias
    for change in ProfileChange.objects.using(db).filter(SENSITIVE).only("pk", "changes").iterator(chunk_size=500):
        change.save(update_fields=["changes"])


def unseal_existing(apps, schema_editor):
    """Write the clear values back (before the field turns into a plain JSONField again)."""
    ProfileChange = apps.get_model("portal", "ProfileChange")
    db = schema_editor.connection.alias
    for change in ProfileChange.objects.using(db).filter(SENSITIVE).only("pk", "changes").iterator(chunk_size=500):
        ProfileChange.objects.using(db).filter(pk=change.pk).update(
            changes=Value(change.changes, output_field=models.JSONField()))


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='profilechange',
            name='changes',
            field=portal.fields.SealedChangesField(default=dict, verbose_name='修改内容'),
        ),
        migrations.RunPython(seal_existing, unseal_existing, elidable=False),
    ]
