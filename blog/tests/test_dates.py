"""A post's date reads as each language writes it: month names are lower case inside an Italian,
Portuguese or Romanian date, as they are in running text; German capitalises its nouns; and
no day has a leading zero."""

from datetime import datetime, timezone

import pytest

from anoni.tests.support import Page
from blog.models import Post


@pytest.mark.parametrize(("language", "date"), [
    ("en", "Dec. 4, 2026"),
    ("it", "4 dicembre 2026"),  # Django's own format writes "04" (anoni/formats/it)
    ("pt", "4 de dezembro de 2026"),
    ("ro", "4 decembrie 2026"),
    ("de", "4. Dezember 2026"),
])
def test_dates_in_the_list_and_the_post(http, live_server, language, date):
    Post.objects.create(language=language, title="December", slug="december", body="…", is_published=True,
                        published=datetime(2026, 12, 4, 10, tzinfo=timezone.utc))
    for path in (f"/{language}/blog/", f"/{language}/blog/december/"):
        assert date in Page(http.get(path).text).texts
