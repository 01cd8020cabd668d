"""An account's admin page: its storage in decimal units, as the vault shows it (1 MB =
1,000,000 bytes), and links to the lists of its own documents and sessions."""

import html
import re
import uuid

from anoni.tests.fixtures import http, operator_http  # noqa: F401  (fixtures)
from documents.models import Document

SIZES = [9_000_000, 195]  # 9,000,195 bytes: "9 MB"; in binary units 8.6 "MB"


def _add_documents(account_id, sizes):
    for size in sizes:
        Document.objects.create(id=uuid.uuid4(), account_id=account_id, wrapped_key=b"k", meta=b"m",
                                chunks=1, size=size)


def test_storage_used_is_in_decimal_units(operator_http, account):
    _add_documents(account.id, SIZES)
    page = operator_http.get(f"/admin/accounts/account/{account.id}/change/").text
    assert "9 MB" in html.unescape(page).replace("\xa0", " ")
    listing = operator_http.get("/admin/accounts/account/").text
    assert "9 MB" in html.unescape(listing).replace("\xa0", " ")


def test_an_account_links_to_its_documents_and_sessions(operator_http, account, session, signup, login):
    other = signup()
    login(other)
    _add_documents(account.id, SIZES)
    _add_documents(other.id, [1])
    page = operator_http.get(f"/admin/accounts/account/{account.id}/change/").text
    for listed, count in (("document", 2), ("session", 1)):
        link = re.search(rf'<a href="(/admin/[a-z]+/{listed}/\?[^"]+)">{count} {listed}s?</a>', page)
        assert link, f"no link to the account's {listed}s"
        listing = operator_http.get(html.unescape(link.group(1)))
        assert listing.status_code == 200
        shown = re.findall(rf'href="/admin/[a-z]+/{listed}/([0-9a-f-]+)/change/', listing.text)
        assert len(set(shown)) == count
