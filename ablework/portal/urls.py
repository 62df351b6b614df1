from django.urls import path

from ablework.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("disclosure/<int:year>/", views.disclosure, name="disclosure_year"),
]
