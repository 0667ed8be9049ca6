from django.urls import path

from . import views

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("servers/<str:name>/", views.server_detail, name="server-detail"),
    path("exports/", views.exports, name="exports"),
    path("exports/diff/", views.export_diff, name="export-diff"),
    path("exports/latest/<str:filename>", views.download_latest, name="export-latest"),
    path("exports/<int:pk>/", views.export_detail, name="export-detail"),
]
