"""Fixtures for the documents API tests: signed-up, logged-in accounts talking to the live server
through the real client transport, and the chunk storage under test (files, or S3 served by
rclone on loopback)."""

import asyncio
import os
import shutil
import socket
import subprocess
import sysconfig
import time
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from storages.backends.s3 import S3Storage

from documents.storage import ChunkFileStorage, chunk_storage
from tests.kit import sign_up
from webclient.vault.backends.cpython import CpythonCrypto, HttpxHttp
from webclient.vault.encoding import b64e
from webclient.vault.errors import ApiError
from webclient.vault.session import SignedSession

API = "/api/v1/"
OCTET_STREAM = "application/octet-stream"
FULL_BOX = 4 * 1024 * 1024 + 65


def box(length):
    """Random bytes of a length a sealed box can have (the server cannot tell them apart)."""
    assert length >= 65 and (length - 49) % 16 == 0
    return os.urandom(length)


def sealed(plaintext_length=16):
    """A random stand-in for a box sealing `plaintext_length` bytes."""
    return box(49 + 16 * (plaintext_length // 16 + 1))


class Vault:
    """One account's signed connection, driven synchronously: the tests are plain functions and
    each Vault runs its own event loop."""

    def __init__(self, base_url, username, srp_pass):
        self.loop = asyncio.new_event_loop()
        self.username = username
        self.session = SignedSession(base_url, username, srp_pass, crypto=CpythonCrypto(), http=HttpxHttp())
        self.account_id = None

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def login(self):
        self.account_id = self.run(self.session.login())["account"]["id"]

    def call(self, method, path, *, json=None, body=None, content_type=None):
        """The Reply of a 2xx answer (the test fails on ApiError unless it expects one)."""
        return self.run(self.session.request(method, API + path, json=json, body=body,
                                             content_type=content_type))

    def refused(self, method, path, **kwargs):
        """The ApiError of an answer that must be an error."""
        with pytest.raises(ApiError) as caught:
            self.call(method, path, **kwargs)
        return caught.value

    def put_chunk(self, document_id, index, data, content_type=OCTET_STREAM):
        return self.call("PUT", f"documents/{document_id}/chunks/{index}", body=data,
                         content_type=content_type)

    def create_document(self, boxes=None, *, chunks=None, size=None, folder=None, document_id=None):
        """A pending document whose declared chunks/size fit `boxes` (unless given)."""
        document_id = document_id or str(uuid.uuid4())
        boxes = boxes if boxes is not None else [sealed(100)]
        body = {"id": document_id, "folder": folder, "wrapped_key": b64e(sealed(32)),
                "meta": b64e(sealed(120)),
                "chunks": chunks if chunks is not None else len(boxes),
                "size": size if size is not None else sum(map(len, boxes))}
        return self.call("POST", "documents", json=body).data

    def upload(self, boxes, **kwargs):
        """Creates, uploads and commits a document; returns its JSON."""
        document = self.create_document(boxes, **kwargs)
        for index, data in enumerate(boxes):
            self.put_chunk(document["id"], index, data)
        return self.call("POST", f"documents/{document['id']}/commit", json={}).data

    def create_folder(self, parent=None, folder_id=None):
        body = {"id": folder_id or str(uuid.uuid4()), "parent": parent, "meta": b64e(sealed(20))}
        return self.call("POST", "folders", json=body).data

    def close(self):
        self.run(self.session.close())
        self.loop.close()


@pytest.fixture
def new_vault(server_url):
    opened = []

    def make():
        vault = Vault(server_url, *sign_up(server_url))
        vault.login()
        opened.append(vault)
        return vault

    yield make
    for vault in opened:
        vault.close()


@pytest.fixture
def vault(new_vault):
    return new_vault()


@pytest.fixture
def other_vault(new_vault):
    return new_vault()


# --- Chunk storage --------------------------------------------------------------------------------

S3_BUCKET = "anoni-test"
S3_ACCESS_KEY = "ANONITESTACCESSKEY01"  # rclone wants keys of some length: 20 and 40 characters
S3_SECRET_KEY = "anoni-test-secret-key-0123456789abcdefgh"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def s3_client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=S3_ACCESS_KEY,
                        aws_secret_access_key=S3_SECRET_KEY, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """`rclone serve s3` on a loopback port over a temporary directory. A server that does not
    come up fails the tests that need it (never skips them)."""
    rclone = Path(sysconfig.get_path("scripts")) / "rclone"
    if not rclone.exists():
        rclone = Path(shutil.which("rclone") or "rclone")
    root = tmp_path_factory.mktemp("s3")
    log = root.parent / "rclone.log"
    endpoint = None
    process = None
    for _attempt in range(3):  # the port picked may be taken by someone else meanwhile
        port = free_port()
        endpoint = f"http://127.0.0.1:{port}"
        with open(log, "wb") as log_file:
            process = subprocess.Popen(
                [str(rclone), "serve", "s3", str(root), "--addr", f"127.0.0.1:{port}",
                 "--auth-key", f"{S3_ACCESS_KEY},{S3_SECRET_KEY}", "--config", os.devnull],
                stdout=log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None:
            try:
                s3_client(endpoint).create_bucket(Bucket=S3_BUCKET)
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.2)
        else:
            process.kill()
            process.wait()
            continue
        break
    else:
        pytest.fail(f"rclone serve s3 did not start: {log.read_text(errors='replace')[-2000:]}")
    yield {"endpoint": endpoint, "root": root}
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def s3_storage_settings(endpoint, bucket=S3_BUCKET):
    return {"BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": bucket, "endpoint_url": endpoint, "region_name": "us-east-1",
                        "access_key": S3_ACCESS_KEY, "secret_key": S3_SECRET_KEY, "default_acl": None,
                        "file_overwrite": True, "querystring_auth": False, "addressing_style": "path"}}


def files_storage_settings(location):
    return {"BACKEND": "documents.storage.ChunkFileStorage",
            "OPTIONS": {"location": str(location), "allow_overwrite": True}}


@pytest.fixture(params=["files", "s3"])
def chunk_backend(request, settings, tmp_path):
    """The chunk storage the live server uses in this test (switched through the settings, as an
    operator would); returns that storage, for looking at it directly."""
    if request.param == "s3":
        # A bucket of its own, as the files get a directory of their own: what a test finds
        # stored is then its own (a sweep's orphans, for one), not what earlier tests left.
        endpoint = request.getfixturevalue("s3_server")["endpoint"]
        bucket = f"test-{uuid.uuid4().hex[:12]}"
        s3_client(endpoint).create_bucket(Bucket=bucket)
        chunks = s3_storage_settings(endpoint, bucket)
    else:
        chunks = files_storage_settings(tmp_path / "chunks")
    settings.STORAGES = {**settings.STORAGES, "chunks": chunks}
    storage = chunk_storage()
    # Django drops its cached storages when STORAGES changes; make sure this one is the new one.
    assert isinstance(storage, ChunkFileStorage if request.param == "files" else S3Storage)
    return storage


def stored_names(storage, document_id):
    """Every object stored under a document's name, looked up in the storage itself."""
    try:
        _, files = storage.listdir(str(document_id))
    except FileNotFoundError:
        return []
    return sorted(files)
