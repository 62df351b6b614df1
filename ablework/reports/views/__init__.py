"""Views of ablework.reports: dashboards (here), annual reports, data quality, policy simulation."""

from ablework.reports.views.dashboards import dashboard, refresh_figures, topic

__all__ = ["dashboard", "refresh_figures", "topic"]
