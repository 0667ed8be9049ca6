from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/mine/", views.my_items, name="campaign-items-mine"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/report.csv", views.report_csv, name="campaign-report-csv"),
    path("campaigns/<int:pk>/report.html", views.report_html, name="campaign-report-html"),
    path("campaigns/items/<int:pk>/answer/", views.answer, name="campaign-answer"),
]
