from django.urls import path

from ablework.portal import views, views_notices

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("disclosure/<int:year>/", views.disclosure, name="disclosure_year"),
    path("notices/", views_notices.notices, name="notices"),
    path("notices/<int:notice_id>/<int:entry_id>/objection/", views_notices.objection, name="notice_objection"),
]
