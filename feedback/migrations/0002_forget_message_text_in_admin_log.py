"""The admin's log named a message by its first 60 characters, and kept them after the message was
deleted; each entry about a message is renamed as Message.__str__ now names it, by its id."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat


def forget_message_text(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    LogEntry.objects.filter(content_type__in=ContentType.objects.filter(app_label="feedback", model="message")).update(
        object_repr=Concat(Value("message "), "object_id"))


class Migration(migrations.Migration):

    dependencies = [
        ("feedback", "0001_initial"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forget_message_text, migrations.RunPython.noop),
    ]
