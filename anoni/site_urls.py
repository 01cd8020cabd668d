from django.urls import path

from anoni import views

urlpatterns = [
    path("", views.page, {"template": "site/home.html"}, name="home"),
    path("why/", views.page, {"template": "site/why.html"}, name="why"),
    path("philosophy/", views.page, {"template": "site/philosophy.html"}, name="philosophy"),
    path("download/", views.download, name="download"),
    path("support/", views.page, {"template": "site/support.html"}, name="support"),
    path("faq/", views.faq, name="faq"),
    path("privacy/", views.page, {"template": "site/privacy.html"}, name="privacy"),
    path("credits/", views.credits, name="credits"),
    path("language/", views.choose_language, name="choose-language"),
]
