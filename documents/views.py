"""Folders, documents and chunks over HTTP (docs/api.md). Views parse and render; the rules are
in services.py. Ids in URLs are matched as text and parsed here, so that anything that is not a
lowercase canonical UUID gets the same 404 as an absent or foreign id."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from anoni.api import ApiError, malformed, not_found
from anoni.schema import errors
from documents import serializers as s
from documents import services
from documents.models import Document

OCTET_STREAM = "application/octet-stream"
# Where sealed metadata is written: the account's room for it may be full.
META_FULL = (507, "`metadata_quota_exceeded`: the account's metadata would exceed its room "
                  "(ANONI_METADATA_BYTES)")


def _uuid_or_404(text):
    value = s.parse_uuid(text)
    if value is None:
        raise not_found()
    return value


def _validated(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


FOLDER_ID = OpenApiParameter("folder_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
DOCUMENT_ID = OpenApiParameter("document_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
INDEX_PARAMETER = OpenApiParameter("index", OpenApiTypes.INT, OpenApiParameter.PATH,
                                   description="Chunk index, 0 ≤ index < chunks.")


# --- Folders --------------------------------------------------------------------------------------

class FolderListView(APIView):
    @extend_schema(operation_id="folders_list", responses={200: s.FolderListSerializer})
    def get(self, request):
        folders = services.list_folders(request.user)
        return Response(s.FolderListSerializer({"folders": folders}).data)

    @extend_schema(operation_id="folders_create", request=s.FolderCreateSerializer,
                   responses={201: s.FolderSerializer, **errors(400, 404, 409, META_FULL)})
    def post(self, request):
        data = _validated(s.FolderCreateSerializer, request)
        folder = services.create_folder(
            request.user, folder_id=data["id"], parent_id=data["parent"], meta=data["meta"])
        return Response(s.FolderSerializer(folder).data, status=status.HTTP_201_CREATED)


class FolderDetailView(APIView):
    @extend_schema(operation_id="folders_update", parameters=[FOLDER_ID],
                   request=s.FolderUpdateSerializer,
                   responses={200: s.FolderSerializer, **errors(400, 404, 409, META_FULL)})
    def patch(self, request, folder_id):
        folder_id = _uuid_or_404(folder_id)
        data = _validated(s.FolderUpdateSerializer, request)
        folder = services.update_folder(
            request.user, folder_id,
            meta=data.get("meta", services.UNSET), parent_id=data.get("parent", services.UNSET))
        return Response(s.FolderSerializer(folder).data)

    @extend_schema(operation_id="folders_delete", parameters=[FOLDER_ID],
                   responses={204: None, **errors(404, 409)})
    def delete(self, request, folder_id):
        services.delete_folder(request.user, _uuid_or_404(folder_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Documents ------------------------------------------------------------------------------------

def _listing_filters(query):
    unknown = sorted(set(query) - {"folder", "state"})
    if unknown:
        raise malformed(f"Unknown query parameter: {unknown[0]}.")
    repeated = sorted(name for name in query if len(query.getlist(name)) > 1)
    if repeated:  # which one counts would be a guess, and another reader may guess otherwise
        raise malformed(f"The query parameter {repeated[0]} is given more than once.")
    filters = {}
    if "folder" in query:
        value = query["folder"]
        if value == "root":
            filters["folder"] = None
        else:
            folder_id = s.parse_uuid(value)
            if folder_id is None:
                raise malformed("folder: must be a folder id or 'root'.")
            filters["folder"] = folder_id
    if "state" in query:
        if query["state"] not in Document.State.values:
            raise malformed("state: must be 'pending' or 'committed'.")
        filters["state"] = query["state"]
    return filters


class DocumentListView(APIView):
    @extend_schema(
        operation_id="documents_list",
        parameters=[
            OpenApiParameter("folder", OpenApiTypes.STR, description="A folder id, or 'root' for the top level."),
            OpenApiParameter("state", OpenApiTypes.STR, enum=["committed", "pending"],
                             description="'pending' lists unfinished uploads instead (default 'committed')."),
        ],
        responses={200: s.DocumentListSerializer, **errors(400, 404)})
    def get(self, request):
        documents = services.list_documents(request.user, **_listing_filters(request.query_params))
        return Response(s.DocumentListSerializer({"documents": documents}).data)

    @extend_schema(operation_id="documents_create", request=s.DocumentCreateSerializer,
                   responses={201: s.DocumentSerializer, **errors(400, 404, 409, (507, "`quota_exceeded` or `metadata_quota_exceeded`"))})
    def post(self, request):
        data = _validated(s.DocumentCreateSerializer, request)
        document = services.create_document(
            request.user, document_id=data["id"], folder_id=data["folder"],
            wrapped_key=data["wrapped_key"], meta=data["meta"], chunks=data["chunks"], size=data["size"])
        return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDetailView(APIView):
    @extend_schema(operation_id="documents_retrieve", parameters=[DOCUMENT_ID],
                   responses={200: s.DocumentSerializer, **errors(404)})
    def get(self, request, document_id):
        document = services.get_document(request.user, _uuid_or_404(document_id))
        return Response(s.DocumentSerializer(document).data)

    @extend_schema(operation_id="documents_update", parameters=[DOCUMENT_ID],
                   request=s.DocumentUpdateSerializer,
                   responses={200: s.DocumentSerializer, **errors(400, 404, META_FULL)})
    def patch(self, request, document_id):
        document_id = _uuid_or_404(document_id)
        data = _validated(s.DocumentUpdateSerializer, request)
        document = services.update_document(
            request.user, document_id,
            meta=data.get("meta", services.UNSET), folder_id=data.get("folder", services.UNSET))
        return Response(s.DocumentSerializer(document).data)

    @extend_schema(operation_id="documents_delete", parameters=[DOCUMENT_ID],
                   responses={204: None, **errors(404, 503)})
    def delete(self, request, document_id):
        services.delete_document(request.user, _uuid_or_404(document_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommitView(APIView):
    @extend_schema(operation_id="documents_commit", parameters=[DOCUMENT_ID], request=s.CommitSerializer,
                   responses={200: s.DocumentSerializer, **errors(400, 404, 409, META_FULL)})
    def post(self, request, document_id):
        document_id = _uuid_or_404(document_id)
        data = _validated(s.CommitSerializer, request)
        document = services.commit_document(request.user, document_id, meta=data.get("meta", services.UNSET))
        return Response(s.DocumentSerializer(document).data)


# --- Chunks ---------------------------------------------------------------------------------------

class ChunkListView(APIView):
    @extend_schema(operation_id="documents_chunks_list", parameters=[DOCUMENT_ID],
                   responses={200: s.ChunkListingSerializer, **errors(404)})
    def get(self, request, document_id):
        document, chunks = services.document_chunks(request.user, _uuid_or_404(document_id))
        listing = {"id": document.id, "state": document.state, "chunks": document.chunks,
                   "size": document.size, "wrapped_key": document.wrapped_key, "meta": document.meta,
                   "present": chunks}
        return Response(s.ChunkListingSerializer(listing).data)


class ChunkView(APIView):
    """A chunk GET answers raw bytes itself; whatever the Accept header, errors are JSON
    (anoni.api.JsonAnswers, as everywhere in the API)."""

    @extend_schema(
        operation_id="documents_chunks_upload", parameters=[DOCUMENT_ID, INDEX_PARAMETER],
        request={OCTET_STREAM: OpenApiTypes.BINARY},
        responses={200: s.ChunkSerializer, **errors(400, 404, 409, 413, 415, 503, 507)},
        description="The raw sealed box of chunk `index` (at most 4,194,369 bytes).")
    def put(self, request, document_id, index):
        document_id = _uuid_or_404(document_id)
        media_type = request.content_type.split(";")[0].strip().lower()
        if media_type != OCTET_STREAM:
            raise ApiError(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                           f"A chunk body must be {OCTET_STREAM}.")
        index = services.parse_chunk_index(index)
        # The signed-request check has already read (and bounded) the body; this is that copy.
        body = request.body
        if len(body) != int(request.META.get("CONTENT_LENGTH") or 0):
            raise malformed("The body ended before its Content-Length.")
        chunk = services.store_chunk(request.user, document_id, index, body,
                                     sha256=request.anoni_body_sha256)
        return Response(s.ChunkSerializer(chunk).data)

    @extend_schema(
        operation_id="documents_chunks_download", parameters=[DOCUMENT_ID, INDEX_PARAMETER],
        responses={(200, OCTET_STREAM): OpenApiResponse(OpenApiTypes.BINARY, description="The raw box; "
                                                        "ETag: \"<hex SHA-256 of the box>\"."),
                   **errors(400, 404, 503)})
    def get(self, request, document_id, index):
        document_id = _uuid_or_404(document_id)
        index = services.parse_chunk_index(index)
        box, sha256 = services.read_chunk(request.user, document_id, index)
        # Streamed from a one-item iterator, which lets go of the box as soon as the server has
        # sent it: a plain answer would keep it until the cyclic garbage collector frees DRF's
        # view (which refers to its response). The signing middleware signs the recorded digest.
        response = StreamingHttpResponse(iter([box]), content_type=OCTET_STREAM)
        response["Content-Length"] = str(len(box))
        response["ETag"] = f'"{sha256.hex()}"'
        response.anoni_body_sha256 = sha256
        return response
