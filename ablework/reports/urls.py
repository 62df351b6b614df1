from django.urls import path
from django.views.generic import RedirectView

from ablework.reports.views import annual, dashboards, quality, simulation

app_name = "reports"
urlpatterns = [
    path("", dashboards.dashboard, name="dashboard"),
    path("reports/monitor/", RedirectView.as_view(url="employment/", query_string=True), name="monitor"),
    path("reports/monitor/<slug:code>/", dashboards.topic, name="topic"),
    path("reports/refresh/", dashboards.refresh_figures, name="refresh"),
    path("reports/annual/", annual.annual_list, name="annual_list"),
    path("reports/annual/start/", annual.annual_start, name="annual_start"),
    path("reports/annual/<int:pk>/", annual.annual_detail, name="annual_detail"),
    path("reports/annual/<int:pk>/<slug:name>/", annual.annual_transition, name="annual_transition"),
    path("reports/annual/<int:pk>/pdf", annual.annual_pdf, name="annual_pdf"),
    path("reports/annual/<int:pk>/xlsx", annual.annual_xlsx, name="annual_xlsx"),
    path("reports/quality/", quality.quality, name="quality"),
    path("reports/quality/<slug:code>/", quality.quality_check, name="quality_check"),
    path("reports/simulation/", simulation.simulation_list, name="simulation_list"),
    path("reports/simulation/new/", simulation.simulation_new, name="simulation_new"),
    path("reports/simulation/<int:pk>/", simulation.simulation_detail, name="simulation_detail"),
    path("reports/simulation/<int:pk>/recompute/", simulation.simulation_recompute, name="simulation_recompute"),
]
