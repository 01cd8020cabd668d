"""The operator's commands on a storage that cannot be used (here, a bucket that does not exist):
one line that says so and what to check, exit code 2. Scrub listed every object as missing, a
misconfiguration taken for the loss of everything; sweep ended in a traceback."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from documents.storage import chunk_storage
from documents.tests.conftest import box, files_storage_settings, s3_storage_settings


@pytest.fixture
def absent_bucket(settings, s3_server, tmp_path, vault):
    settings.STORAGES = {**settings.STORAGES, "chunks": files_storage_settings(tmp_path / "chunks")}
    vault.upload([box(65)])  # something for scrub to look for
    chunks = s3_storage_settings(s3_server["endpoint"])
    chunks["OPTIONS"]["bucket_name"] = "no-such-bucket"
    settings.STORAGES = {**settings.STORAGES, "chunks": chunks}
    assert chunk_storage().bucket_name == "no-such-bucket"


@pytest.mark.parametrize("command", ["scrub", "sweep"])
def test_a_bucket_that_does_not_exist_is_said_so(absent_bucket, command):
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command(command, stdout=StringIO(), stderr=err)
    assert failure.value.returncode == 2
    assert str(failure.value).startswith("The chunk storage cannot be used (NoSuchBucket)")
    assert "missing" not in err.getvalue()
