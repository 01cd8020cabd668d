"""Where `anoni` gets the username when it is not given: a question on stderr (stdout holds only
results, even redirected to a file), a clear error when nobody can answer, and the remembered
login, which, unreadable, blocks only what needs it and is reset by `anoni logout`."""

import json
import os
import pty
import subprocess

from webclient.tests.client_support import cli, cli_command, run, signup
from webclient.tests.test_cli_failures import check
from webclient.vault.local import BytesSource


def on_a_terminal(server_url, *args, config_home, typed: str) -> subprocess.CompletedProcess:
    """Runs `anoni` with a terminal as its stdin (where `typed` is typed), stdout and stderr
    captured apart."""
    main_fd, terminal_fd = pty.openpty()
    try:
        process = subprocess.Popen(**cli_command(server_url, *args, config_home=config_home),
                                   stdin=terminal_fd, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        os.write(main_fd, typed.encode())
        stdout, stderr = process.communicate(timeout=120)
    finally:
        os.close(main_fd)
        os.close(terminal_fd)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def without_server_option(server_url, *args, config_home) -> subprocess.CompletedProcess:
    """Runs `anoni args...` with no --server: the remembered server is the one wanted."""
    command = cli_command(server_url, *args, config_home=config_home)
    command["args"] = [arg for arg in command["args"] if arg not in ("--server", server_url)]
    return subprocess.run(**command, capture_output=True, timeout=120)


def test_cli_asks_for_the_username_on_stderr(server_url, tmp_path):
    vault = signup(server_url)
    run(vault.upload(BytesSource(b"x"), name="only.txt"))
    run(vault.close())
    home = tmp_path / "config"

    asked = on_a_terminal(server_url, "ls", config_home=home, typed=f"{vault.username}\n")
    assert asked.returncode == 0, asked.stderr
    assert asked.stderr == "Username: "
    assert asked.stdout.endswith("  only.txt\n") and asked.stdout.count("\n") == 1

    piped = cli(server_url, "ls", config_home=home, input=f"{vault.username}\n")
    assert piped.returncode == 0 and piped.stderr == "" and piped.stdout == asked.stdout

    nobody = cli(server_url, "ls", config_home=home, input="")
    check(nobody, 2, "no username (stdin is closed): give --user NAME or set ANONI_USER, "
                     "or remember one with `anoni login --user NAME`")
    nobody = cli(server_url, "signup", config_home=home, input="")
    check(nobody, 2, "no username (stdin is closed): give --user NAME or set ANONI_USER")
    assert "anoni login" not in nobody.stderr

    unconfirmed = cli(server_url, "--user", vault.username, "delete-account", config_home=home,
                      input="")
    check(unconfirmed, 2, "no confirmation: type the username when asked, or give --yes")
    confirmed = on_a_terminal(server_url, "--user", vault.username, "delete-account",
                              config_home=home, typed=f"{vault.username}\n")
    assert confirmed.returncode == 0, confirmed.stderr
    assert confirmed.stderr.endswith(". Type the username to confirm: ")
    assert confirmed.stdout == f"Account {vault.username} and everything in it have been erased.\n"


def test_cli_unreadable_config(server_url, tmp_path):
    vault = signup(server_url)
    run(vault.close())
    home = tmp_path / "config"
    config_file = home / "anoni" / "config.json"
    config_file.parent.mkdir(parents=True)
    for content in ("{bad\n", "[]\n"):
        config_file.write_text(content)
        # What the command line gives is not looked up in it.
        given = cli(server_url, "--user", vault.username, "ls", config_home=home)
        assert given.returncode == 0, given.stderr
        assert config_file.read_text() == content
        blocked = cli(server_url, "ls", config_home=home)
        check(blocked, 1, f"cannot read the remembered login in {config_file} (")
        assert "`anoni logout` resets it" in blocked.stderr
        blocked = without_server_option(server_url, "--user", vault.username, "ls",
                                        config_home=home)
        check(blocked, 1, f"cannot read the remembered login in {config_file} (")

        logout = without_server_option(server_url, "logout", config_home=home)
        assert logout.returncode == 0, logout.stderr
        assert logout.stdout == f"Reset {config_file}, which could not be read.\n"
        assert json.loads(config_file.read_text()) == {}

    config_file.write_text("{bad\n")
    login = cli(server_url, "--user", vault.username, "login", config_home=home)
    assert login.returncode == 0, login.stderr
    assert json.loads(config_file.read_text()) == {"server": server_url, "username": vault.username}

    # A server address edited into the file by hand is traced back to it.
    config_file.write_text(json.dumps({"server": "ftp://x", "username": vault.username}))
    check(without_server_option(server_url, "ls", config_home=home), 2,
          f"not a server URL: ftp://x (expected http://host[:port][/path] or https://…); it is "
          f"remembered in {config_file}: `anoni logout` resets it, or give --server")


def test_cli_says_what_is_wrong_with_a_credential_before_asking_for_more(server_url, tmp_path):
    """An empty --user (`--user "$NAME"` with NAME unset) was taken for none and said "stdin is
    closed"; an empty ANONI_PASSWORD was said to be unset; a username the vault cannot take was
    refused only after the new password had been typed twice (from an audit of the CLI)."""
    home = tmp_path / "config"
    check(cli(server_url, "--user", "", "ls", config_home=home, input=""), 2,
          "the username given with --user is empty")

    def detached(*args, password):
        # A session of its own: no terminal to ask in, even when the tests run in one.
        return subprocess.run(**cli_command(server_url, *args, config_home=home, password=password),
                              capture_output=True, start_new_session=True, timeout=120)

    check(detached("--user", "somebody", "ls", password=""), 2,
          "no password: ANONI_PASSWORD is set but empty, and there is no terminal to ask in")
    check(detached("--user", "somebody", "ls", password=None), 2,
          "no password: set ANONI_PASSWORD or run in a terminal")
    check(detached("--user", "b\u00f3b", "signup", password=None), 2,
          "The username may contain only printable ASCII characters")
    # Taken exactly as typed (DESIGN §1), a space at an end is kept, and said: it must be typed
    # at every login, and one added by mistake would seem to lose the account.
    spaced = f"spaced {os.urandom(4).hex()} "
    made = cli(server_url, "--user", spaced, "signup", config_home=home)
    assert made.returncode == 0, made.stderr
    assert made.stderr == (f"anoni: note: the username {spaced!r} begins or ends with a space, to be "
                           "typed so at every login (it is remembered here)\n")
