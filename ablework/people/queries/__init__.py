"""Reads for views, reports and APIs (split by topic; import the package)."""

from ablework.people.queries.registry import PEOPLE_LIST, list_people

__all__ = ["PEOPLE_LIST", "list_people"]
