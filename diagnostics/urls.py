from django.urls import path

from diagnostics import views

urlpatterns = [
    path("diagnostics/client-log", views.ClientLogView.as_view(), name="diagnostics-client-log"),
]
