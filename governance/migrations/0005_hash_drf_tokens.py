"""Tokens made before the upgrade keep working: each DRF token (whose key was stored in clear
in authtoken_token) becomes an ApiToken that holds only the key's digest and its first
characters, and the clear key is deleted. A digest cannot be turned back into a key, so
going back leaves the old tokens unusable."""

from django.db import migrations
from knox.crypto import hash_token
from knox.settings import CONSTANTS

NAME = "API token (made before the upgrade)"


def hash_drf_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("governance", "ApiToken")
    for token in Token.objects.all():
        ApiToken.objects.create(digest=hash_token(token.key),
                                token_key=token.key[:CONSTANTS.TOKEN_KEY_LENGTH],
                                user_id=token.user_id, name=NAME, expiry=None)
        # `created` is set on insert; keep the date the key was made.
        ApiToken.objects.filter(digest=hash_token(token.key)).update(created=token.created)
    Token.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0004_apitoken"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(hash_drf_tokens, migrations.RunPython.noop)]
