from django.urls import path

from ablework.portal import views, views_articles, views_jobs, views_notices

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("disclosure/<int:year>/", views.disclosure, name="disclosure_year"),
    # jobs, fairs, directories (public) and the person's / employer's job self-service
    path("jobs/", views_jobs.job_search, name="jobs"),
    path("jobs/<int:pk>/", views_jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/apply/", views_jobs.job_apply, name="job_apply"),
    path("fairs/", views_jobs.fairs, name="fairs"),
    path("directories/", views_jobs.directories, name="directories"),
    path("me/jobs/", views_jobs.my_jobs, name="my_jobs"),
    path("me/jobs/<int:pk>/matching/", views_jobs.my_jobs_consent, name="my_jobs_consent"),
    path("me/applications/<int:pk>/withdraw/", views_jobs.my_application_withdraw, name="my_application_withdraw"),
    path("employer/", views_jobs.employer_home, name="employer_home"),
    # articles: policy explainers, news, success stories; officers manage them
    path("articles/<int:pk>/", views_articles.article_detail, name="article"),
    path("manage/articles/", views_articles.manage_list, name="manage_articles"),
    path("manage/articles/new/", views_articles.manage_edit, name="article_create"),
    path("manage/articles/<int:pk>/", views_articles.manage_edit, name="article_edit"),
    path("manage/articles/<int:pk>/publish/", views_articles.manage_publish, name="article_publish"),
    path("policy/", views_articles.article_list, {"section": "policy"}, name="policy"),
    path("news/", views_articles.article_list, {"section": "news"}, name="news"),
    path("stories/", views_articles.article_list, {"section": "stories"}, name="stories"),
    path("notices/", views_notices.notices, name="notices"),
    path("notices/<int:notice_id>/<int:entry_id>/objection/", views_notices.objection, name="notice_objection"),
]
