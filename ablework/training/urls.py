from django.urls import path

from ablework.training import views

app_name = "training"
urlpatterns = [
    path("", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("courses/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("enrolments/<int:pk>/complete/", views.enrolment_complete, name="enrolment_complete"),
    path("enrolments/<int:pk>/drop/", views.enrolment_drop, name="enrolment_drop"),
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/new/", views.provider_create, name="provider_create"),
    path("providers/<int:pk>/", views.provider_detail, name="provider_detail"),
    path("providers/<int:pk>/edit/", views.provider_edit, name="provider_edit"),
    path("competition/", views.entry_list, name="entry_list"),
    path("competition/new/", views.entry_create, name="entry_create"),
    path("massage/", views.massage_list, name="massage_list"),
    path("massage/new/", views.massage_create, name="massage_create"),
    path("massage/<int:pk>/edit/", views.massage_edit, name="massage_edit"),
    path("massage/practitioners/", views.practitioner_list, name="practitioner_list"),
    path("massage/practitioners/new/", views.practitioner_create, name="practitioner_create"),
    path("massage/practitioners/<int:pk>/edit/", views.practitioner_edit, name="practitioner_edit"),
]
