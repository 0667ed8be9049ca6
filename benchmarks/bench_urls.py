"""The portal's URLs plus the floor views the benchmarks compare against (benchmarks only)."""

from django.urls import path

from governance.urls import urlpatterns as portal_urls

from .floor import ApiFloor, page_floor

urlpatterns = [
    path("bench-floor/api/<str:key>", ApiFloor.as_view(), name="bench-floor-api"),
    path("bench-floor/page/<str:key>", page_floor, name="bench-floor-page"),
    *portal_urls,
]
