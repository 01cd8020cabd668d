from django.urls import path

from documents import views

# Ids are matched as any path segment and parsed by the views: a malformed id is a JSON 404.
urlpatterns = [
    path("folders", views.FolderListView.as_view(), name="folders"),
    path("folders/<str:folder_id>", views.FolderDetailView.as_view(), name="folder"),
    path("documents", views.DocumentListView.as_view(), name="documents"),
    path("documents/<str:document_id>", views.DocumentDetailView.as_view(), name="document"),
    path("documents/<str:document_id>/commit", views.CommitView.as_view(), name="document-commit"),
    path("documents/<str:document_id>/chunks", views.ChunkListView.as_view(), name="document-chunks"),
    path("documents/<str:document_id>/chunks/<str:index>", views.ChunkView.as_view(), name="document-chunk"),
]
