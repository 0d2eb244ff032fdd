"""Every search entry carries its model's token (core.search.model_token): queries now AND it."""
from django.db import migrations

# The same token as core.search.model_token: "m" and the label without its dot (labels are [a-z0-9_.]).
FORWARD = ("UPDATE core_searchentry SET tokens = 'm' || replace(replace(model, '.', ''), '_', '') || ' ' || tokens "
           "WHERE tokens NOT LIKE 'm' || replace(replace(model, '.', ''), '_', '') || ' %'")
BACKWARD = ("UPDATE core_searchentry SET tokens = substr(tokens, length(replace(replace(model, '.', ''), '_', '')) + 3) "
            "WHERE tokens LIKE 'm' || replace(replace(model, '.', ''), '_', '') || ' %'")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_chain")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
