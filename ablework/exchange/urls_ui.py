"""``/exchange/``: officer pages of the data exchange (included from ``config/urls.py``)."""

from django.urls import path

from ablework.exchange import views

app_name = "exchange"

urlpatterns = [
    path("clients/", views.clients, name="clients"),
    path("clients/<int:pk>/rotate", views.client_rotate, name="client_rotate"),
    path("clients/<int:pk>/revoke", views.client_revoke, name="client_revoke"),
    path("batches/", views.batches, name="batches"),
    path("batches/upload", views.upload, name="upload"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/report.xlsx", views.batch_report, name="batch_report"),
    path("templates/<str:kind>.xlsx", views.feed_template, name="feed_template"),
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/push", views.outbox_push, name="outbox_push"),
    path("outbox/export", views.outbox_export, name="outbox_export"),
    path("exports/", views.exports_page, name="exports"),
    path("cross-province/", views.cross_province, name="cross_province"),
]
