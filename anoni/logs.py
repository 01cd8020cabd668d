"""What the server's own log may say about a request."""

import logging
import re
import uuid

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class WithoutIds(logging.Filter):
    """Writes `<id>` for every id in a logged record: a request's path ("Conflict:
    /api/v1/documents/<id>/commit"), a stored object's name ("chunk storage write of <id>/0
    failed"). The operator keeps which endpoint or chunk failed, and an erased account's documents
    and folders are not named in the log after they are gone (delete means gone)."""

    def filter(self, record):
        if isinstance(record.args, tuple):
            record.args = tuple(_without_ids(arg) for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = UUID.sub("<id>", record.msg)
        return True


class OneLine(logging.Filter):
    """A refusal that Django logs as an error with its traceback (a body over the size limit, too
    many fields), said in one line as a warning: anyone can send such requests, and each used to
    write a traceback of the framework's own code into the operator's log."""

    def filter(self, record):
        record.exc_info = record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _without_ids(arg):
    if isinstance(arg, uuid.UUID):
        return "<id>"
    return UUID.sub("<id>", arg) if isinstance(arg, str) else arg
