from django.core.management.base import BaseCommand, CommandError

from anoni.api import ApiError
from documents import storage
from documents.models import Chunk, Document
from documents.services import orphaned_documents, scrub


class Command(BaseCommand):
    help = ("Re-read every stored chunk object and check its SHA-256 against the one recorded at "
            "upload. Lists damaged objects by name (<document id>/<index>); exits 1 if any, 2 if the "
            "storage cannot be used at all.")

    def handle(self, *args, **options):
        damaged = 0
        try:
            # The listing first (orphaned_documents lists the storage): a bucket that does not
            # exist answers every object "not found", which would list every object as missing,
            # a misconfiguration taken for a loss.
            orphans = len(orphaned_documents()[0])
            for name, problem in scrub():
                damaged += 1
                self.stderr.write(f"{problem} {name}")
            # Counted, so that an empty database (a restore that did not load) does not pass as
            # a healthy one: "all match" said nothing when nothing was checked.
            checked = Chunk.objects.count()
            documents = Document.objects.count()
        except ApiError as exc:
            raise CommandError(storage.unreachable(exc), returncode=2) from None
        self.stdout.write(f"Checked {checked} stored object(s) of {documents} document(s); "
                          f"{orphans} stored document(s) have no row in the database"
                          + (" (`manage.py sweep` erases a few; many mean a database that does not "
                             "go with this storage)." if orphans else "."))
        if damaged:
            raise CommandError(f"{damaged} damaged object(s).", returncode=1)
        self.stdout.write("All stored objects match their recorded SHA-256.")
