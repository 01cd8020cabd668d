from django.core.management.base import BaseCommand

from stats import services


class Command(BaseCommand):
    help = "Deletes page statistics older than ANONI_STATS_RETENTION_DAYS. Run it daily."

    def handle(self, *args, **options):
        self.stdout.write(f"{services.purge()} page view rows deleted.")
