"""The browser and the `anoni` command are two faces of one client core: a document uploaded in
one downloads byte for byte in the other, both ways."""

import os
import secrets

import pytest

from webclient.tests.browser_fixtures import (  # noqa: F401 (fixtures)
    PASSWORD, chromium, new_username, vault_page, vault_server)
from webclient.tests.client_support import cli

pytestmark = pytest.mark.browser

CHUNK = 4 * 1024 * 1024


def test_browser_and_cli_read_each_other(vault_page, tmp_path):
    vault = vault_page
    username = new_username()
    from_browser = tmp_path / f"from-browser-{secrets.token_hex(4)}.bin"
    from_browser.write_bytes(os.urandom(CHUNK + 54_321))
    from_cli = tmp_path / f"from-cli-{secrets.token_hex(4)}.txt"
    from_cli.write_bytes(os.urandom(3 * CHUNK // 2))

    def anoni(*args):
        result = cli(vault.server, "--user", username, *args, config_home=tmp_path / "config",
                     password=PASSWORD)
        assert result.returncode == 0, result.stderr
        return result

    vault.open()
    vault.signup(username)
    vault.upload(from_browser)

    out = tmp_path / "out"
    out.mkdir()
    anoni("get", f"/{from_browser.name}", "-o", str(out))
    assert (out / from_browser.name).read_bytes() == from_browser.read_bytes()

    anoni("put", str(from_cli), "--to", "/")
    vault.page.reload()
    vault.page.wait_for_selector("#engine-status.ready", timeout=60_000)
    vault.login(username)
    vault.row(from_cli.name).wait_for()
    saved, status = vault.download(from_cli.name)
    assert saved == from_cli.read_bytes()
    assert "Integrity verified" in status
    assert vault.foreign_requests() == []
    assert vault.csp_violations() == []
