from django.urls import path

from ablework.employers import views

app_name = "employers"
urlpatterns = [path("", views.employer_list, name="list")]
