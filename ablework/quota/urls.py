from ablework.quota import views_batch, views_public
from ablework.quota.views import app_name
from ablework.quota.views import urlpatterns as review_urlpatterns

urlpatterns = [*review_urlpatterns, *views_batch.urlpatterns, *views_public.urlpatterns]

__all__ = ["app_name", "urlpatterns"]
