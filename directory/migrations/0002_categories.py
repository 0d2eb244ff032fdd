"""The two-level category tree shipped in directory/data/categories.tsv."""
from django.db import migrations


def load(apps, schema_editor):
    from directory.categories import load as load_file

    load_file(apps.get_model("directory", "Category"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
