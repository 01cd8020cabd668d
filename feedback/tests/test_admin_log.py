"""The privacy page promises that a message is kept until the operator deletes it. Django's admin
keeps a log of what the operator changed and deleted, shown under "Recent actions", which outlives
the objects: it must hold no word of a message, nor of anything else visitors send that is
deleted later (diagnostic logs, records of requests and errors)."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.models import DELETION, LogEntry
from django.utils import timezone

from anoni.tests.support import csrf_post
from diagnostics.models import ApiRequest, ClientLog, ServerError
from feedback.models import Message

SECRET = "my neighbour's wifi password is hunter2"
SECRET_WORD = "hunter2"  # what a page shows of the secret whatever it escapes


@pytest.fixture
def sent(live_server):
    """A message, a client's diagnostic log and beta records, each holding the secret."""
    return [
        Message.objects.create(message=f"Hello, {SECRET}, please help", reply_to=f"mail {SECRET}", language="en"),
        ClientLog.objects.create(client_version=SECRET[:50], user_agent=SECRET,
                                 entries=[{"t": 0, "level": "info", "event": "e", "detail": SECRET}]),
        ApiRequest.objects.create(time=timezone.now(), method="GET", path=f"/api/v1/{SECRET}", status=404,
                                  duration_ms=1),
        ServerError.objects.create(time=timezone.now(), method="GET", path=f"/api/v1/{SECRET}",
                                   exception_type="builtins.RuntimeError", traceback=SECRET),
    ]


def _admin_path(instance, view):
    return f"/admin/{instance._meta.app_label}/{instance._meta.model_name}/{instance.pk}/{view}/"


def _titles_and_breadcrumbs(html):
    return re.search(r"<title>.*?</title>", html, re.S).group() + re.search(
        r'<nav aria-label="Breadcrumbs">.*?</nav>', html, re.S).group()


def test_changing_and_deleting_leaves_no_text_in_the_admin_log(operator_http, sent):
    message = sent[0]
    # Ticked as handled in the list, then on the message's own page.
    listing = csrf_post(operator_http, "/admin/feedback/message/", {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": message.pk, "form-0-handled": "on",
        "_save": "Save"})
    assert listing.status_code == 302
    assert csrf_post(operator_http, _admin_path(message, "change"), {}).status_code == 302
    assert Message.objects.get().handled is False
    for instance in sent:
        page = operator_http.get(_admin_path(instance, "change"))
        assert page.status_code == 200
        assert SECRET_WORD not in _titles_and_breadcrumbs(page.text)
        confirmation = operator_http.get(_admin_path(instance, "delete"))
        assert SECRET_WORD not in _titles_and_breadcrumbs(confirmation.text)
        assert csrf_post(operator_http, _admin_path(instance, "delete"), {"post": "yes"}).status_code == 302
    assert LogEntry.objects.count() == 2 + len(sent)
    for entry in LogEntry.objects.all():
        assert SECRET_WORD not in f"{entry.object_repr} {entry.change_message}"
    assert SECRET_WORD not in operator_http.get("/admin/").text


@pytest.mark.parametrize(("migration", "forget", "names"), [
    ("feedback.migrations.0002_forget_message_text_in_admin_log", "forget_message_text", {"message": "message"}),
    ("diagnostics.migrations.0002_forget_client_text_in_admin_log", "forget_client_text",
     {"clientlog": "client log", "apirequest": "API request", "servererror": "server error"}),
])
def test_entries_logged_before_lose_their_text(sent, django_user_model, migration, forget, names):
    """Entries the admin wrote before the objects were named by their ids."""
    operator = django_user_model.objects.create_superuser("operator")
    for instance in sent:
        LogEntry.objects.log_actions(operator.pk, [instance], DELETION)
        LogEntry.objects.filter(object_id=instance.pk).update(object_repr=f"Hello, {SECRET}")
    getattr(importlib.import_module(migration), forget)(django_apps, None)
    renamed = {entry.content_type.model: entry.object_repr for entry in LogEntry.objects.all()
               if SECRET_WORD not in entry.object_repr}
    assert renamed == {instance._meta.model_name: f"{names[instance._meta.model_name]} {instance.pk}"
                       for instance in sent if instance._meta.model_name in names}
