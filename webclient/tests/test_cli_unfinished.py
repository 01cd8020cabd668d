"""`anoni unfinished` lists the uploads begun and never finished, which hold storage out of sight
of `ls`, saying of one that received data a moment ago that it may still be running elsewhere;
`--discard` deletes the ones named by id, or all of them."""

import asyncio
import os
from datetime import timedelta

import pytest
from django.utils import timezone

from documents.models import Chunk, Document
from webclient.cli import EXIT_NOT_FOUND
from webclient.tests.client_support import CHUNK, cli, run, signup
from webclient.tests.test_client_resume import StallingSource


def interrupted(vault, name, folder=None):
    """An upload of two chunks cancelled while it reads the second: a pending document."""
    async def upload_until_stalled():
        source = StallingSource(os.urandom(2 * CHUNK - 100), stall_at=1)
        task = asyncio.ensure_future(vault.upload(source, name=name, folder=folder, concurrency=1))
        await source.stalled.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    known = set(Document.objects.values_list("id", flat=True))
    run(upload_until_stalled())
    [document] = Document.objects.filter(account_id=vault.account_id).exclude(id__in=known)
    return document


def test_unfinished_uploads_are_listed_and_discarded(server_url, tmp_path):
    vault = signup(server_url)
    drafts = run(vault.create_folder("Drafts"))
    first = interrupted(vault, "first.bin", folder=drafts.id)
    second = interrupted(vault, "second.bin")
    then = timezone.now() - timedelta(minutes=10)  # the first abandoned ten minutes ago
    Document.objects.filter(pk=first.pk).update(created=then)
    Chunk.objects.filter(document=first).update(stored=then)
    home = tmp_path / "config"

    listed = cli(server_url, "--user", vault.username, "unfinished", config_home=home)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 3
    [first_line] = [line for line in lines if line.startswith(str(first.id))]
    [second_line] = [line for line in lines if line.startswith(str(second.id))]
    assert first_line.endswith("/Drafts/first.bin")
    assert "/second.bin  (received data " in second_line and "may still be uploading elsewhere" in second_line
    assert lines[2].startswith("2 unfinished upload(s) hold 16.0 MiB")

    unknown = cli(server_url, "--user", vault.username, "unfinished", "--discard", "not-an-id",
                  config_home=home)
    assert unknown.returncode == EXIT_NOT_FOUND
    assert "no unfinished upload has the id not-an-id" in unknown.stderr
    assert Document.objects.filter(account_id=vault.account_id).count() == 2

    one = cli(server_url, "--user", vault.username, "unfinished", "--discard", str(first.id),
              config_home=home)
    assert one.returncode == 0, one.stderr
    assert one.stdout == "discarded /Drafts/first.bin\n"
    assert list(Document.objects.filter(account_id=vault.account_id).values_list("id", flat=True)) == [second.id]

    rest = cli(server_url, "--user", vault.username, "unfinished", "--discard", config_home=home)
    assert rest.stdout == "discarded /second.bin\n"
    assert not Document.objects.filter(account_id=vault.account_id).exists()
    empty = cli(server_url, "--user", vault.username, "unfinished", config_home=home)
    assert (empty.returncode, empty.stdout, empty.stderr) == (0, "", "anoni: no unfinished upload\n")
