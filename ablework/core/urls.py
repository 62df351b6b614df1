from django.urls import path

from ablework.core import metrics, saved_filters, views

app_name = "core"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.inbox_mark_read, name="inbox_read"),
    path("policy/", views.policy_list, name="policy_list"),
    path("policy/new/", views.policy_edit, name="policy_new"),
    path("policy/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("audit/", views.audit_list, name="audit_list"),
    path("districts/", views.district_list, name="district_list"),
    path("districts/<int:pk>/agricultural/", views.district_toggle_agricultural, name="district_toggle"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("text-size/", views.text_size, name="text_size"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("saved-filters/", saved_filters.saved_filter_save, name="saved_filter_save"),
    path("saved-filters/<int:pk>/delete/", saved_filters.saved_filter_delete, name="saved_filter_delete"),
]
