from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import ERASURE_GRACE, finish_erasures
from anoni.api import ApiError
from documents import storage
from documents.services import TooManyOrphans, sweep_orphaned_objects, sweep_pending


class Command(BaseCommand):
    help = ("Erase pending documents (rows and stored objects) that have stored nothing for "
            "ANONI_PENDING_MAX_AGE, accounts whose erasure stopped midway, and stored objects "
            "whose document no longer exists.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--erase-orphans", action="store_true",
            help="erase the objects of documents without a row however many there are (unasked, a "
                 "sweep erases a few: many mean a database that does not go with the storage)")

    def handle(self, *args, **options):
        try:
            swept = sweep_pending()
            self.stdout.write(
                f"Swept {swept} pending document(s) idle for more than {settings.ANONI_PENDING_MAX_AGE} s.")
            erased = finish_erasures()
            self.stdout.write(
                f"Finished {erased} account erasure(s) stopped midway more than {ERASURE_GRACE} s ago.")
            orphaned = sweep_orphaned_objects(unbounded=options["erase_orphans"])
        except ApiError as exc:  # a traceback said no more than this
            raise CommandError(storage.unreachable(exc), returncode=2) from None
        except TooManyOrphans as many:
            raise CommandError(
                f"{many.orphans} of the {many.stored} documents with objects in the storage have no "
                f"row in the database (which holds {many.documents} documents): nothing of them was "
                "erased. Is this the database "
                "that goes with this storage (a restore, DATABASE_URL, ANONI_STORAGE)? `manage.py "
                "scrub` compares them; once sure, `manage.py sweep --erase-orphans` erases them.",
                returncode=3) from None
        self.stdout.write(f"Erased the stored objects of {orphaned} document(s) that no longer exist.")
