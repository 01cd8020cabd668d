from django.core.management.base import BaseCommand

from diagnostics import services


class Command(BaseCommand):
    help = ("Deletes diagnostics older than ANONI_DIAGNOSTICS_RETENTION_DAYS, and every recorded "
            "API request (they hold addresses) when ANONI_BETA_DIAGNOSTICS is off. Run it daily.")

    def handle(self, *args, **options):
        deleted = services.purge()
        self.stdout.write(", ".join(f"{count} {kind}" for kind, count in deleted.items()) + " deleted.")
