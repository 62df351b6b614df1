"""Views of the registry, one module per topic; each module has its own ``urlpatterns``."""
