"""The cache forgets what has expired: unanswered challenges and used nonces do not pile up in the
server's memory (anoni/cache.py for the embedded cache; Redis expires keys itself)."""

import time

import pytest

from accounts.tests.conftest import cache_keys
from accounts.tests.test_challenge import VALID_A
from anoni import cache as anoni_cache
from tests import web


def challenge_keys():
    return [key for key in cache_keys() if "accounts:challenge:" in key]


@pytest.fixture
def sweep_at_once(monkeypatch):
    """The next write to the embedded cache sweeps it, as one would SWEEP_EVERY_SECONDS later."""
    monkeypatch.setattr(anoni_cache, "_next_sweep", {})


def test_unanswered_challenges_leave_the_cache_once_expired(server_url, settings, monkeypatch):
    # Long enough for the forty to be asked for before the first expires: at 1 s, a CI machine
    # busy with other work once took longer (21 of 40 were left, on Redis).
    settings.ANONI_CHALLENGE_TTL = 3
    for number in range(40):
        answer = web.post(f"{server_url}/api/v1/auth/challenge", json={"username": f"flood {number}", "A": VALID_A})
        assert answer.status_code == 200
    assert len(challenge_keys()) == 40
    time.sleep(3.2)
    monkeypatch.setattr(anoni_cache, "_next_sweep", {})
    answer = web.post(f"{server_url}/api/v1/auth/challenge", json={"username": "one more", "A": VALID_A})
    assert answer.status_code == 200
    assert len(challenge_keys()) == 1


def test_the_sweep_keeps_live_entries_and_runs_at_most_every_few_seconds(sweep_at_once):
    store = anoni_cache.ExpiringLocMemCache("sweep-test", {})
    store.set("live", 1, timeout=60)
    store.set("short", 2, timeout=0.05)
    time.sleep(0.1)
    store.set("next", 3, timeout=60)  # no sweep yet: the first write swept
    assert "short" in {key.split(":")[-1] for key in store._cache}
    anoni_cache._next_sweep.clear()
    store.set("last", 4, timeout=60)
    assert sorted(key.split(":")[-1] for key in store._cache) == ["last", "live", "next"]
    assert store.get("live") == 1
    store.clear()
