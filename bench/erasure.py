"""Erasing an account on S3: `python bench/erasure.py [--documents 400] [--chunks 1 4] [--delay-ms 0 5]`.

Against the machine's PostgreSQL (127.0.0.1:5432, a throwaway database) and `rclone serve s3`
over a temporary directory, with Django in this process. For each `--chunks` and `--delay-ms`
(added each way to every piece of data between the app and S3, as a round trip to a real
region would: bench/small_files.py's DelayingProxy), an account of `--documents` committed
documents of that many boxes each (65 bytes, the smallest: what erasing costs does not depend on
the size) is erased with `documents.services.erase_account`, as `DELETE /api/v1/account` does.

Printed: milliseconds per document and S3 requests per document, beside the baseline measured in
the same run, storing the same boxes (`documents.storage.write_object`, one PUT each, as uploads
store them), and the ratio. Not a test: it never fails because something is slow.
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from small_files import DelayingProxy  # noqa: E402  (needs bench/ on the path)
from tests.procs import RcloneS3, s3_env  # noqa: E402

BUCKET = "anoni-bench"
SMALLEST_BOX = 65


def configure(endpoint_url: str, database: str) -> None:
    os.environ.update(s3_env(endpoint_url, BUCKET))
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anoni.settings")


def postgres(statement: str) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres",
                         autocommit=True) as connection:
        connection.execute(statement)


class RequestCounter:
    """Counts the S3 API calls the chunk storage's client makes."""

    def __init__(self, storage):
        self.calls = 0
        storage.connection.meta.client.meta.events.register("before-call.s3", self._count)

    def _count(self, **_):
        self.calls += 1


def make_account(documents: int, chunks: int):
    from accounts.models import Account
    from documents.models import Chunk, Document
    from documents.storage import chunk_name, write_object

    account = Account.objects.create(username=f"bench-{uuid.uuid4().hex[:12]}", salt=b"s" * 16,
                                     verifier=b"v", kdf_iterations=1, wrapped_account_key=b"k")
    started = time.perf_counter()
    for _ in range(documents):
        document = Document.objects.create(
            id=uuid.uuid4(), account=account, wrapped_key=b"w", meta=b"m", chunks=chunks,
            size=chunks * SMALLEST_BOX, state=Document.State.COMMITTED)
        for index in range(chunks):
            write_object(chunk_name(document.pk, index), os.urandom(SMALLEST_BOX))
            Chunk.objects.create(document=document, index=index, size=SMALLEST_BOX, sha256=b"h" * 32)
    return account, time.perf_counter() - started


def measure(documents: int, chunks: int) -> tuple[float, float, int, int]:
    """(seconds to store, seconds to erase, requests to store, requests to erase)."""
    from documents import services
    from documents.storage import chunk_storage

    counter = RequestCounter(chunk_storage())
    account, stored_in = make_account(documents, chunks)
    store_requests = counter.calls
    started = time.perf_counter()
    services.erase_account(account)
    erased_in = time.perf_counter() - started
    left = chunk_storage().bucket.objects.all()
    assert not any(True for _ in left), "the erasure left objects in the bucket"
    return stored_in, erased_in, store_requests, counter.calls - store_requests


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--chunks", type=int, nargs="+", default=[1, 4], help="boxes per document")
    parser.add_argument("--delay-ms", type=float, nargs="+", default=[0, 5],
                        help="added each way between the app and S3")
    args = parser.parse_args()

    database = f"anoni_bench_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as temporary:
        s3 = RcloneS3(Path(temporary) / "objects").start()
        try:
            s3.create_bucket(BUCKET)
            proxies = {delay: DelayingProxy(s3.port, delay / 1000) if delay else None for delay in args.delay_ms}
            postgres(f'CREATE DATABASE "{database}"')
            try:
                run(args, s3, proxies, database)
            finally:
                from django.db import connections

                connections.close_all()
                postgres(f'DROP DATABASE IF EXISTS "{database}"')
        finally:
            s3.stop()


def run(args, s3, proxies, database):
    import django
    from django.core.files.storage import storages

    configure(s3.endpoint_url, database)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"{args.documents} documents a run, PostgreSQL, rclone serve s3 (local)")
    print(f"{'delay':>9} {'chunks':>6} | {'store ms/doc':>12} {'erase ms/doc':>12} {'ratio':>6} | "
          f"{'requests/doc: store':>20} {'erase':>6}")
    for delay, proxy in proxies.items():
        for chunks in args.chunks:
            # A storage of its own for each delay: the endpoint is read when it is made.
            storages._storages.pop("chunks", None)
            storages.backends["chunks"]["OPTIONS"]["endpoint_url"] = proxy.url if proxy else s3.endpoint_url
            stored_in, erased_in, store_requests, erase_requests = measure(args.documents, chunks)
            per = 1000 / args.documents
            print(f"{delay:>6g} ms {chunks:>6} | {stored_in * per:>12.2f} {erased_in * per:>12.2f} "
                  f"{erased_in / stored_in:>6.2f} | {store_requests / args.documents:>20.2f} "
                  f"{erase_requests / args.documents:>6.2f}", flush=True)


if __name__ == "__main__":
    main()
