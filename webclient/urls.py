from django.conf import settings
from django.urls import path

from webclient import views

urlpatterns = [
    path("", views.vault, name="vault"),
]

if settings.ANONI_BENCH:  # bench/browser.py only
    urlpatterns += [path("bench/results", views.bench_results, name="vault-bench-results"),
                    path("bench/discard", views.bench_discard, name="vault-bench-discard")]
