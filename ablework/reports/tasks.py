"""Tasks of ablework.reports (``django_tasks``): thin wrappers; idempotent, they take years, not objects."""

from __future__ import annotations

from django_tasks import task

from ablework.reports import aggregates


@task()
def refresh_figures_task(years: list[int]) -> int:
    """Recompute the pre-aggregated figures of these years; returns the number of rows written."""
    return sum(r.rows for r in aggregates.refresh_years(years))


@task()
def simulate_scenario_task(scenario_id: int) -> str:
    """Compute a policy-simulation scenario (``simulation.run_scenario``); returns its final status."""
    from ablework.reports.simulation import run_scenario

    scenario = run_scenario(scenario_id)
    if scenario is None:
        return "missing"
    scenario.refresh_from_db()
    return scenario.status
