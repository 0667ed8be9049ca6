import contextlib

from django.conf import settings
from django.core.management.base import BaseCommand

from approvals import demo
from registry.services import build_export

# Where the demo's notices are "sent": kept in memory, never mailed. They stay readable on
# the portal's Notifications page.
KEPT_BACK = "django.core.mail.backends.locmem.EmailBackend"


@contextlib.contextmanager
def mail_kept_back():
    """The demo's notices are not mailed: its addresses are the template's examples, and in
    development the console backend would print each as a raw mail before the logins. The
    notices are still recorded (and marked sent, so that no worker mails them later)."""
    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = KEPT_BACK
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = backend


class Command(BaseCommand):
    help = "Load demo users for every role and the template's registry (dates moved to now)."

    def handle(self, *args, **options):
        with mail_kept_back():
            demo.load_demo()
            build_export(cause="demo data loaded")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for username, _email, roles, superuser in demo.DEMO_USERS:
            what = "administrator" if superuser else (", ".join(roles) or "developer")
            self.stdout.write(f"  {username:<7} {what}")
        self.stdout.write("The demo's notices are on the Notifications page; none was mailed.")
