from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from .delegations import forget_delegates
        from .models import Delegation

        # Who is a delegate today is cached (accounts.delegations); any change forgets it.
        post_save.connect(forget_delegates, sender=Delegation,
                          dispatch_uid="accounts.forget_delegates.save")
        post_delete.connect(forget_delegates, sender=Delegation,
                            dispatch_uid="accounts.forget_delegates.delete")
