from django.core.management.base import BaseCommand

from approvals import demo
from registry.services import build_export


class Command(BaseCommand):
    help = "Load demo users for every role and the template's registry (dates moved to now)."

    def handle(self, *args, **options):
        demo.load_demo()
        build_export(cause="demo data loaded")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for username, _email, roles, superuser in demo.DEMO_USERS:
            what = "administrator" if superuser else (", ".join(roles) or "developer")
            self.stdout.write(f"  {username:<7} {what}")
