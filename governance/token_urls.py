from django.urls import path

from . import tokens

urlpatterns = [
    path("accounts/tokens/", tokens.tokens, name="tokens"),
]
