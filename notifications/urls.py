from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/preferences/", views.notification_preferences,
         name="notification-preferences"),
]
