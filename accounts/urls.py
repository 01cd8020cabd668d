from django.urls import path

from accounts import views

urlpatterns = [
    path("accounts", views.SignupView.as_view(), name="signup"),
    path("auth/challenge", views.ChallengeView.as_view(), name="auth-challenge"),
    path("auth/verify", views.VerifyView.as_view(), name="auth-verify"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("account", views.AccountView.as_view(), name="account"),
    path("account/credentials", views.CredentialsView.as_view(), name="account-credentials"),
]
