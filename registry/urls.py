from django.urls import path

from . import views

urlpatterns = [
    path("exports/", views.exports, name="exports"),
    path("exports/diff/", views.export_diff, name="export-diff"),
    path("exports/latest/<str:filename>", views.download_latest, name="export-latest"),
    path("exports/<int:pk>/", views.export_detail, name="export-detail"),
]
