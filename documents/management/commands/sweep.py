from django.conf import settings
from django.core.management.base import BaseCommand

from documents.services import sweep_pending


class Command(BaseCommand):
    help = "Erase pending documents (rows and stored objects) older than ANONI_PENDING_MAX_AGE."

    def handle(self, *args, **options):
        swept = sweep_pending()
        self.stdout.write(
            f"Swept {swept} pending document(s) older than {settings.ANONI_PENDING_MAX_AGE} s.")
