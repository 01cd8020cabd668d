"""Page statistics are deleted once older than ANONI_STATS_RETENTION_DAYS, as the privacy page
says in every language (they were kept for ever, unsaid: from an audit of the site)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from anoni.tests.support import LANGUAGES, Page
from stats.models import PageView


@pytest.mark.django_db
def test_purge_stats_deletes_the_days_past_the_retention(settings, capsys):
    settings.ANONI_STATS_RETENTION_DAYS = 10
    today = timezone.localdate()
    for age in (11, 10, 0):
        PageView.objects.create(day=today - timedelta(days=age), path="/en/", address="203.0.113.0")
    call_command("purge_stats")
    assert capsys.readouterr().out == "1 page view rows deleted.\n"
    assert sorted((today - view.day).days for view in PageView.objects.all()) == [0, 10]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_privacy_page_says_how_long_they_are_kept(http, settings, language):
    settings.ANONI_STATS_RETENTION_DAYS = 45
    text = " ".join(Page(http.get(f"/{language}/privacy/").text).texts)
    assert "45" in text
    english = "These counts are deleted after 45 days."
    assert (english in text) == (language == "en")
