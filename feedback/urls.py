from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.contact, name="contact"),
    path("thanks/", views.thanks, name="thanks"),
]
