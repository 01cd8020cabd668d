"""What the database's own files keep of rows that were deleted or overwritten.

Deleting a row takes it out of every query, not off the disk. SQLite runs here with
`secure_delete` (settings.py), which zeroes the space a deleted or rewritten row leaves in its
page; but in write-ahead-log mode the page's earlier versions live on in the log, and in the
database file until a checkpoint copies the new version over them. So after an erasure a
TRUNCATE checkpoint copies every logged page into the database file and empties the log.
PostgreSQL keeps dead row versions until VACUUM reuses their space (docs/deploy.md).
"""

import logging

from django.db import connection, transaction

logger = logging.getLogger(__name__)


def forget_erased_rows() -> None:
    """Once the current transaction commits (at once outside one), leaves no copy of the rows it
    erased or overwrote in the database's files, where the database allows it (SQLite)."""
    if connection.vendor == "sqlite":
        transaction.on_commit(_checkpoint)


def _checkpoint() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, _, _ = cursor.fetchone()
    if busy:
        # A reader still needs an older page: the log is copied as far as it can be, and the
        # next erasure's checkpoint (or SQLite's automatic one) completes it.
        logger.warning("database checkpoint after an erasure could not complete (busy)")
