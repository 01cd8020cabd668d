from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from anoni.api import ApiError
from documents import storage
from documents.services import sweep_orphaned_objects, sweep_pending


class Command(BaseCommand):
    help = ("Erase pending documents (rows and stored objects) that have stored nothing for "
            "ANONI_PENDING_MAX_AGE, and stored objects whose document no longer exists.")

    def handle(self, *args, **options):
        try:
            swept = sweep_pending()
            self.stdout.write(
                f"Swept {swept} pending document(s) idle for more than {settings.ANONI_PENDING_MAX_AGE} s.")
            orphaned = sweep_orphaned_objects()
        except ApiError as exc:  # a traceback said no more than this
            raise CommandError(storage.unreachable(exc), returncode=2) from None
        self.stdout.write(f"Erased the stored objects of {orphaned} document(s) that no longer exist.")
