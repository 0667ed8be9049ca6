from django.urls import path

from . import notification_views

urlpatterns = [
    path("notifications/", notification_views.notification_list, name="notifications"),
]
