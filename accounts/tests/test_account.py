"""GET account: who am I, how much may I store, how much do I."""

import datetime

from accounts.models import Account


def test_account_summary(session, account, settings):
    settings.ANONI_QUOTA_BYTES = 5 * 1024**3
    answer = session.send("GET", "/api/v1/account")
    assert answer.status == 200 and answer.signed_correctly
    body = answer.json()
    assert body == {"id": account.id, "username": account.username, "created": body["created"],
                    "quota_bytes": 5 * 1024**3, "used_bytes": 0}
    created = datetime.datetime.fromisoformat(body["created"].replace("Z", "+00:00"))
    assert created == Account.objects.get(pk=account.id).created
    assert body["created"].endswith("Z")


def test_each_session_sees_its_own_account(login, signup, session, account):
    other_account = signup()
    other = login(other_account)
    assert other.send("GET", "/api/v1/account").json()["id"] == other_account.id
    assert session.send("GET", "/api/v1/account").json()["id"] == account.id
