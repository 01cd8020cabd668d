"""The admin's log named diagnostic records by what the client sent (a request's path, a client
log's version) and kept it after the record was deleted; each entry about one is renamed by its
id."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat

NAMES = {"apirequest": "API request ", "servererror": "server error ", "clientlog": "client log "}


def forget_client_text(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    for model, name in NAMES.items():
        LogEntry.objects.filter(
            content_type__in=ContentType.objects.filter(app_label="diagnostics", model=model)).update(
            object_repr=Concat(Value(name), "object_id"))


class Migration(migrations.Migration):

    dependencies = [
        ("diagnostics", "0001_initial"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forget_client_text, migrations.RunPython.noop),
    ]
