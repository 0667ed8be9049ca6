from django.urls import path

from . import views

urlpatterns = [
    path("requests/new/", views.new_request, name="request-new"),
    path("requests/mine/", views.my_requests, name="my-requests"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("queue/", views.queue, name="queue"),
]
