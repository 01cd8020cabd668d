"""What the server's own log may say about a request."""

import logging
import re

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class WithoutIds(logging.Filter):
    """Writes `<id>` for every id in a logged request path ("Conflict: /api/v1/documents/<id>/commit"):
    the operator keeps which endpoint refused what, and an erased account's documents and folders
    are not named in the log after they are gone (delete means gone)."""

    def filter(self, record):
        if isinstance(record.args, tuple):
            record.args = tuple(UUID.sub("<id>", arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = UUID.sub("<id>", record.msg)
        return True
