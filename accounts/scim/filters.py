"""The SCIM filters identity providers send before they create or link a resource
(Okta: `userName eq "..."`; Entra ID: `externalId eq "..."`, `displayName eq "..."`), as
django-scim2 filter queries over the portal's tables. It imports no adapter: django-scim2's
adapters module imports it through the settings while it loads."""

from django.contrib.auth import get_user_model
from django_scim.filters import FilterQuery

from accounts.models import DirectoryGroup, ExternalIdentity

USERS = "auth_user"
IDENTITIES = ExternalIdentity._meta.db_table


class UserFilterQuery(FilterQuery):
    model_getter = staticmethod(get_user_model)
    attr_map = {
        ("userName", None, None): f"{USERS}.username",
        ("externalId", None, None): f"{IDENTITIES}.subject",
        ("emails", "value", None): f"{USERS}.email",
        ("emails", None, None): f"{USERS}.email",
        ("name", "givenName", None): f"{USERS}.first_name",
        ("name", "familyName", None): f"{USERS}.last_name",
        ("active", None, None): f"{USERS}.is_active",
    }
    joins = (f"LEFT JOIN {IDENTITIES} ON {IDENTITIES}.user_id = {USERS}.id",)

    @classmethod
    def search(cls, filter_query, request=None):
        """Only the provider's users (as accounts.scim.managed_users), never local ones."""
        rows = list(super().search(filter_query, request))
        managed = set(ExternalIdentity.objects.filter(
            user_id__in=[row.pk for row in rows]).values_list("user_id", flat=True))
        return [row for row in rows if row.pk in managed]


class GroupFilterQuery(FilterQuery):
    model_getter = staticmethod(lambda: DirectoryGroup)
    attr_map = {
        ("displayName", None, None): f"{DirectoryGroup._meta.db_table}.display_name",
        ("externalId", None, None): f"{DirectoryGroup._meta.db_table}.external_id",
    }
