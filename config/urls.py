from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("accounts/", include("ablework.accounts.urls")),
    path("core/", include("ablework.core.urls")),
    path("people/", include("ablework.people.urls")),
    path("employers/", include("ablework.employers.urls")),
    path("quota/", include("ablework.quota.urls")),
    path("subsidies/", include("ablework.subsidies.urls")),
    path("assisted/", include("ablework.assisted.urls")),
    path("training/", include("ablework.training.urls")),
    path("jobs/", include("ablework.jobs.urls")),
    path("portal/", include("ablework.portal.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include("ablework.exchange.urls")),
    path("exchange/", include("ablework.exchange.urls_ui")),
    path("", include("ablework.reports.urls")),
]
