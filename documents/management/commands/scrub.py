from django.core.management.base import BaseCommand, CommandError

from documents.services import scrub


class Command(BaseCommand):
    help = ("Re-read every stored chunk object and check its SHA-256 against the one recorded at "
            "upload. Lists damaged objects by name (<document id>/<index>); exits 1 if any.")

    def handle(self, *args, **options):
        damaged = 0
        for name, problem in scrub():
            damaged += 1
            self.stderr.write(f"{problem} {name}")
        if damaged:
            raise CommandError(f"{damaged} damaged object(s).", returncode=1)
        self.stdout.write("All stored objects match their recorded SHA-256.")
