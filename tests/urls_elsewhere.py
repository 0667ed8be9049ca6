"""The portal's routes mounted under /portal/ instead of the root, for the tests of named
links (`@pytest.mark.urls("tests.urls_elsewhere")`): a page, a mail or an API answer that
builds its links from the route names follows the move; a hard-coded path does not."""

from django.urls import include, path

PREFIX = "/portal/"

urlpatterns = [
    path(PREFIX.strip("/") + "/", include("governance.urls")),
]
