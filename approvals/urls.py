from django.urls import path

from . import catalog_views, dashboard, delegation_views, list_views, views, waiting_views

urlpatterns = [
    path("", catalog_views.catalog, name="catalog"),
    path("servers/<str:name>/", catalog_views.server_detail, name="server-detail"),
    path("requests/new/", views.new_request, name="request-new"),
    path("requests/mine/", list_views.my_requests, name="my-requests"),
    path("requests/waiting/", waiting_views.waiting_for_me, name="waiting-for-me"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("queue/", list_views.queue, name="queue"),
    path("queue/bulk/", list_views.queue_bulk, name="queue-bulk"),
    path("delegations/", delegation_views.delegations, name="delegations"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
]
