"""``/api/v1/``: the partner API (included from ``config/urls.py``)."""

from django.urls import path

from ablework.exchange import views_api as v

app_name = "exchange_api"

urlpatterns = [
    path("certificates/verify", v.CertificateVerifyView.as_view(), name="certificate_verify"),
    path("persons/employment-status", v.EmploymentStatusView.as_view(), name="employment_status"),
    path("employers/<str:uscc>/annual-reviews", v.AnnualReviewResultsView.as_view(), name="annual_reviews"),
    path("employers/<str:uscc>/payments", v.EmployerPaymentsView.as_view(), name="employer_payments"),
    path("persons/payments", v.PersonPaymentsView.as_view(), name="person_payments"),
    path("feeds/si", v.SIPushView.as_view(), name="feed_si"),
    path("feeds/business-registrations", v.BusinessPushView.as_view(), name="feed_business"),
    path("feeds/levy-payments", v.LevyPushView.as_view(), name="feed_levy"),
    path("feeds/military-certificates", v.MilitaryPushView.as_view(), name="feed_military"),
    path("feeds/batches", v.FeedBatchListView.as_view(), name="feed_batches"),
    path("feeds/batches/<str:kind>/<str:batch_id>", v.FeedBatchDetailView.as_view(), name="feed_batch"),
    path("feeds/<str:kind>/files", v.FeedFileView.as_view(), name="feed_file"),
]
