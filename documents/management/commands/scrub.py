from django.core.management.base import BaseCommand, CommandError

from anoni.api import ApiError
from documents import storage
from documents.services import scrub


class Command(BaseCommand):
    help = ("Re-read every stored chunk object and check its SHA-256 against the one recorded at "
            "upload. Lists damaged objects by name (<document id>/<index>); exits 1 if any, 2 if the "
            "storage cannot be used at all.")

    def handle(self, *args, **options):
        damaged = 0
        try:
            # A listing first: a bucket that does not exist answers every object "not found",
            # which would list every object as missing, a misconfiguration taken for a loss.
            storage.stored_document_names()
            for name, problem in scrub():
                damaged += 1
                self.stderr.write(f"{problem} {name}")
        except ApiError as exc:
            raise CommandError(storage.unreachable(exc), returncode=2) from None
        if damaged:
            raise CommandError(f"{damaged} damaged object(s).", returncode=1)
        self.stdout.write("All stored objects match their recorded SHA-256.")
