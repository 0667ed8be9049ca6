from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Recertification campaigns"

    def ready(self):
        # Models can be imported only once every app is loaded, hence here.
        from audit.registration import register

        from .models import Campaign, CampaignItem

        register(Campaign, CampaignItem)
