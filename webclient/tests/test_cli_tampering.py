"""`anoni get` and `anoni verify` of a document altered at rest fail with exit code 5 and a clear
message, and `get` leaves no file behind."""

import os

import pytest

from webclient.tests.client_support import (CHUNK, cli, flip_byte, remove_last_chunk, run, signup,
                                            swap_between_documents)
from webclient.vault.local import BytesSource


@pytest.mark.parametrize("tamper", [flip_byte, swap_between_documents, remove_last_chunk])
def test_cli_refuses_tampered_document(server_url, tmp_path, tamper):
    vault = signup(server_url)
    a = run(vault.upload(BytesSource(os.urandom(2 * CHUNK + 5)), name="a.bin"))
    b = run(vault.upload(BytesSource(os.urandom(2 * CHUNK + 5)), name="b.bin"))
    run(vault.close())
    tamper(a.id, b.id)
    out = tmp_path / "out"
    out.mkdir()

    def anoni(*args):
        result = cli(server_url, "--user", vault.username, *args, config_home=tmp_path / "config",
                     cwd=out)
        assert "Traceback" not in result.stderr
        return result

    got = anoni("get", "/a.bin")
    assert got.returncode == 5
    assert got.stderr.startswith("anoni: integrity check failed")
    assert got.stderr.rstrip().endswith("; nothing was written")
    assert list(out.iterdir()) == []
    verified = anoni("verify", "/")
    assert verified.returncode == 5
    assert f"FAILED /a.bin  ({a.id})" in verified.stdout
    failures = 2 if tamper is swap_between_documents else 1
    assert verified.stderr == (f"anoni: integrity check failed for {failures} of 2 documents (FAILED "
                               "above): altered, or not belonging here\n")
    alone = anoni("verify", "/a.bin")
    assert alone.returncode == 5
    assert "nothing was written" not in alone.stderr  # verify writes nothing in any case
    assert anoni("verify", "/b.bin").returncode == (5 if tamper is swap_between_documents else 0)
    # get -r goes past a document that fails its check: the rest still comes, verified.
    everything = anoni("get", "-r", "/", "-o", "all")
    assert everything.returncode == 5, everything.stderr
    assert f"anoni: integrity check failed, not written: /a.bin  ({a.id})" in everything.stderr
    written = sorted(path.name for path in (out / "all").iterdir())
    assert written == ([] if tamper is swap_between_documents else ["b.bin"])
    assert everything.stderr.rstrip().endswith("and were not written; the rest is in all, verified")
    assert anoni("mkdir", "/empty").returncode == 0
    empty = anoni("verify", "/empty")
    assert (empty.returncode, empty.stdout, empty.stderr) == (0, "", "anoni: no document to verify in /empty/\n")
