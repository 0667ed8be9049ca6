from . import open_flag
from .models import CampaignItem


def campaign_items(request):
    """How many campaign items wait on the reader's answer, beside the nav link to them;
    no query at all while no campaign is open (once that is known)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not open_flag.any_open():
        return {"campaign_items_waiting": 0}
    return {"campaign_items_waiting": CampaignItem.objects.waiting_on(user).count()}
