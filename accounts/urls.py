from django.urls import include, path

from . import oidc, views

urlpatterns = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.sign_out, name="logout"),
    path("accounts/tokens/", views.tokens, name="tokens"),
    # The identity provider (accounts.oidc): the start of the code flow and its callback.
    path("oidc/authenticate/", oidc.StartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
    # SCIM 2.0 for the provider's provisioning (accounts.scim).
    path("scim/v2/", include("django_scim.urls", namespace="scim")),
]
