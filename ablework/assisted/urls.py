from django.urls import path

from ablework.assisted import views

app_name = "assisted"
urlpatterns = [
    path("", views.institution_list, name="institution_list"),
    path("institutions/new/", views.institution_create, name="institution_create"),
    path("institutions/mine/", views.institution_mine, name="institution_mine"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution_detail"),
    path("institutions/<int:pk>/edit/", views.institution_edit, name="institution_edit"),
    path("institutions/<int:pk>/staff/add/", views.staff_add, name="staff_add"),
    path("institutions/<int:pk>/participants/add/", views.participant_add, name="participant_add"),
    path("institutions/<int:pk>/months/import/", views.month_import, name="month_import"),
    path(
        "institutions/<int:pk>/months/import/template.xlsx", views.month_import_template, name="month_import_template"
    ),
    path(
        "institutions/<int:pk>/months/import/<int:batch_pk>/report.xlsx",
        views.month_import_report,
        name="month_import_report",
    ),
    path("coverage/", views.coverage, name="coverage"),
    path("participants/", views.participant_list, name="participant_list"),
    path("participants/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("participants/<int:pk>/agreements/add/", views.agreement_add, name="agreement_add"),
    path("participants/<int:pk>/months/add/", views.month_add, name="month_add"),
    path("participants/<int:pk>/leave/", views.participant_leave, name="participant_leave"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/allocate/", views.project_allocate, name="project_allocate"),
    path("projects/<int:pk>/outputs/add/", views.output_add, name="output_add"),
    path("rural/", views.rural_list, name="rural_list"),
    path("rural/new/", views.rural_create, name="rural_create"),
    path("rural/<int:pk>/", views.rural_detail, name="rural_detail"),
    path("rural/<int:pk>/edit/", views.rural_edit, name="rural_edit"),
    path("rural/<int:pk>/supports/add/", views.support_add, name="support_add"),
]
