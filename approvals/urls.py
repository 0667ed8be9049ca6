from django.urls import path

from . import catalog_views, dashboard, views, waiting_views

urlpatterns = [
    path("", catalog_views.catalog, name="catalog"),
    path("servers/<str:name>/", catalog_views.server_detail, name="server-detail"),
    path("requests/new/", views.new_request, name="request-new"),
    path("requests/mine/", views.my_requests, name="my-requests"),
    path("requests/waiting/", waiting_views.waiting_for_me, name="waiting-for-me"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("queue/", views.queue, name="queue"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
]
