"""An account's whole life through the `anoni` command, run as a user runs it (a subprocess with
ANONI_PASSWORD in its environment and its own XDG_CONFIG_HOME)."""

import json

import pytest

from accounts.models import Account, Session
from webclient.tests.client_support import PASSWORD, cli, new_username, run
from webclient.vault.client import Vault
from webclient.vault.errors import ApiError

NEW_PASSWORD = "another passphrase, longer"


def test_cli_account_journey(server_url, tmp_path):
    home = tmp_path / "config"
    config_file = home / "anoni" / "config.json"
    user = new_username("cli")

    signed_up = cli(server_url, "--user", user, "signup", config_home=home)
    assert signed_up.returncode == 0, signed_up.stderr
    assert user in signed_up.stdout
    account_id = str(Account.objects.get(username=user).id)
    # Remembered: the server and the username, nothing secret.
    assert json.loads(config_file.read_text()) == {"server": server_url, "username": user}

    whoami = cli(server_url, "whoami", config_home=home)
    assert whoami.returncode == 0, whoami.stderr
    assert f"username: {user}" in whoami.stdout and account_id in whoami.stdout

    logout = cli(server_url, "logout", config_home=home)
    assert logout.returncode == 0 and json.loads(config_file.read_text()) == {}
    login = cli(server_url, "--user", user, "login", config_home=home)
    assert login.returncode == 0, login.stderr
    assert json.loads(config_file.read_text()) == {"server": server_url, "username": user}
    assert not Session.objects.filter(account_id=account_id).exists()  # each run logs out

    other = run(Vault.login(server_url, user, PASSWORD))
    passwd = cli(server_url, "passwd", config_home=home, env={"ANONI_NEW_PASSWORD": NEW_PASSWORD})
    assert passwd.returncode == 0, passwd.stderr
    with pytest.raises(ApiError) as caught:
        run(other.account())  # its session ended, and its password is the old one
    assert caught.value.code == "credentials_changed"
    run(other.close())
    old = cli(server_url, "whoami", config_home=home)
    assert old.returncode == 3 and "wrong username or password" in old.stderr
    assert cli(server_url, "whoami", config_home=home, password=NEW_PASSWORD).returncode == 0

    declined = cli(server_url, "delete-account", config_home=home, password=NEW_PASSWORD,
                   input="not-the-username\n")
    assert declined.returncode == 2 and "nothing was deleted" in declined.stderr
    assert Account.objects.filter(pk=account_id).exists()
    deleted = cli(server_url, "delete-account", config_home=home, password=NEW_PASSWORD,
                  input=f"{user}\n")
    assert deleted.returncode == 0, deleted.stderr
    assert not Account.objects.filter(pk=account_id).exists()
    assert not Session.objects.filter(account_id=account_id).exists()
    assert json.loads(config_file.read_text()) == {}

    gone = cli(server_url, "--user", user, "whoami", config_home=home, password=NEW_PASSWORD)
    never = cli(server_url, "--user", new_username("never"), "whoami", config_home=home,
                password=NEW_PASSWORD)
    assert gone.returncode == never.returncode == 3
    assert gone.stderr == never.stderr == "anoni: wrong username or password\n"


def test_cli_delete_account_for_scripts(server_url, tmp_path):
    home = tmp_path / "config"
    user = new_username("script")
    assert cli(server_url, "--user", user, "signup", config_home=home).returncode == 0
    deleted = cli(server_url, "--user", user, "delete-account", "--yes", config_home=home)
    assert deleted.returncode == 0, deleted.stderr
    assert not Account.objects.filter(username=user).exists()
