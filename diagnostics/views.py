from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import ratelimit
from anoni.api import ApiError
from diagnostics import client_log, services

CLIENT_LOGS_PER_ADDRESS = ratelimit.Limit("client-logs-address", "ANONI_CLIENT_LOGS_PER_ADDRESS")


class ClientLogView(APIView):
    """POST diagnostics/client-log: the browser vault's log, sent when its user chose to."""

    authentication_classes = []
    permission_classes = [AllowAny]

    # The body is checked field by field in client_log.parse; this only describes it.
    @extend_schema(
        request=inline_serializer("ClientLog", {
            "entries": serializers.ListField(min_length=1, max_length=client_log.MAX_ENTRIES,
                                             child=inline_serializer("ClientLogEntry", {
                "t": serializers.IntegerField(min_value=0),
                "level": serializers.ChoiceField(sorted(client_log.LEVELS)),
                "event": serializers.CharField(min_length=1, max_length=100),
                "detail": serializers.CharField(max_length=1000, allow_blank=True),
            })),
            "client": inline_serializer("ClientLogClient", {
                "version": serializers.CharField(min_length=1, max_length=50),
                "user_agent": serializers.CharField(max_length=500, allow_blank=True),
            }),
        }),
        responses={201: inline_serializer("ClientLogStored", {"id": serializers.UUIDField()})},
    )
    def post(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # BodySizeLimitMiddleware has already refused a non-numeric length
        if length > client_log.MAX_BODY:
            raise ApiError(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                           f"A client log is limited to {client_log.MAX_BODY} bytes.")
        address = ratelimit.client_network(request)
        ratelimit.check(CLIENT_LOGS_PER_ADDRESS, address)
        ratelimit.hit(CLIENT_LOGS_PER_ADDRESS, address)
        entries, client = client_log.parse(request.data)
        log = services.store_client_log(entries=entries, client=client)
        return Response({"id": str(log.id)}, status=status.HTTP_201_CREATED)
