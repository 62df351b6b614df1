from django.urls import URLPattern

from ablework.people.views import difficulty, duplicates, imports, portal, registry, services, students

app_name = "people"
urlpatterns: list[URLPattern] = [
    *registry.urlpatterns,
    *services.urlpatterns,
    *difficulty.urlpatterns,
    *students.urlpatterns,
    *imports.urlpatterns,
    *duplicates.urlpatterns,
    *portal.urlpatterns,
]
