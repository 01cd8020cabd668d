"""An operator may raise the fewest PBKDF2 iterations the server accepts
(ANONI_MIN_KDF_ITERATIONS). The client core then signs up and changes passwords with the count
the server's refusal names, within its own bounds; beyond them it gives up with that refusal."""

import pytest

from accounts.models import Account
from webclient.tests.client_support import PASSWORD, run
from webclient.vault import keys
from webclient.vault.client import Vault
from webclient.vault.errors import ApiError

NEW_PASSWORD = "a new passphrase, quite long"


def test_signup_and_a_password_change_take_the_servers_minimum(server_url, settings):
    settings.ANONI_MIN_KDF_ITERATIONS = 610_000
    vault = run(Vault.signup(server_url, "raised minimum", PASSWORD))
    assert Account.objects.get(username="raised minimum").kdf_iterations == 610_000

    settings.ANONI_MIN_KDF_ITERATIONS = 620_000  # raised again since
    run(vault.change_password(NEW_PASSWORD))
    assert Account.objects.get(username="raised minimum").kdf_iterations == 620_000
    run(vault.close())
    again = run(Vault.login(server_url, "raised minimum", NEW_PASSWORD))
    assert again.account_id == vault.account_id
    run(again.close())


def test_a_minimum_beyond_what_the_client_accepts_is_refused(server_url, settings):
    settings.ANONI_MIN_KDF_ITERATIONS = keys.MAX_ITERATIONS + 1
    settings.ANONI_MAX_KDF_ITERATIONS = keys.MAX_ITERATIONS + 1
    with pytest.raises(ApiError) as refused:
        run(Vault.signup(server_url, "too many", PASSWORD))
    assert (refused.value.code, refused.value.body["min_iterations"]) == ("weak_kdf", keys.MAX_ITERATIONS + 1)
    assert not Account.objects.filter(username="too many").exists()
