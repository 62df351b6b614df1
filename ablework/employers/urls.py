from django.urls import path

from ablework.employers import views

app_name = "employers"
urlpatterns = [
    path("", views.employer_list, name="list"),
    path("new/", views.employer_create, name="create"),
    path("mine/", views.employer_mine, name="mine"),
    path("<int:pk>/", views.employer_detail, name="detail"),
    path("<int:pk>/edit/", views.employer_edit, name="edit"),
    path("<int:pk>/deregister/", views.employer_deregister, name="deregister"),
    path("<int:pk>/reactivate/", views.employer_reactivate, name="reactivate"),
    path("<int:pk>/contacts/add/", views.contact_add, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_pk>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:pk>/users/add/", views.user_add, name="user_add"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/batches/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/batches/<int:pk>/report.xlsx", views.import_report, name="import_report"),
]
