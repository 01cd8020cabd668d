"""HTTP endpoints of accounts and login (docs/api.md). Shape checks in serializers, rules in
services."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.ratelimit import client_network
from accounts.serializers import (
    AccountSerializer,
    ChallengeResponseSerializer,
    ChallengeSerializer,
    CredentialsSerializer,
    DeleteAccountSerializer,
    EmptySerializer,
    SignupResponseSerializer,
    SignupSerializer,
    VerifyResponseSerializer,
    VerifySerializer,
)
from anoni.schema import body_on_delete, errors


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class UnsignedView(APIView):
    """Reachable before login: no signature, no session."""

    authentication_classes = []
    permission_classes = [AllowAny]


class SignupView(UnsignedView):
    """Creates an account from a username, salt, SRP verifier, KDF and wrapped account key."""

    @extend_schema(request=SignupSerializer, responses={
        201: SignupResponseSerializer,
        **errors((400, "`invalid_username`, `weak_kdf` or `malformed`"), (409, "`username_taken`"))})
    def post(self, request):
        account = services.signup(**_valid(SignupSerializer, request), address=client_network(request))
        return Response(SignupResponseSerializer(account).data, status=status.HTTP_201_CREATED)


class ChallengeView(UnsignedView):
    """SRP step 1: A in, a single-use 60-second challenge with salt, KDF and B out."""

    @extend_schema(request=ChallengeSerializer, responses={
        200: ChallengeResponseSerializer, **errors((400, "`bad_public_value`, `invalid_username` or `malformed`"))})
    def post(self, request):
        challenge = services.start_challenge(**_valid(ChallengeSerializer, request),
                                             address=client_network(request))
        return Response(ChallengeResponseSerializer(challenge).data)


class VerifyView(UnsignedView):
    """SRP step 2: M1 in; M2, a signed session and the wrapped account key out."""

    @extend_schema(request=VerifySerializer, responses={
        200: VerifyResponseSerializer,
        **errors((401, ("`bad_credentials` (wrong password, or no such account) or "
                        "`unknown_challenge` (expired or used)")))})
    def post(self, request):
        data = _valid(VerifySerializer, request)
        login = services.verify_challenge(token=data["challenge"], M1=data["M1"],
                                          address=client_network(request))
        return Response(VerifyResponseSerializer(login).data)


class LogoutView(APIView):
    """Ends this session."""

    # No body to document, but one is read (none, or `{}`): anything else is 400 or 415.
    @extend_schema(request=None, responses={204: None, **errors(415)})
    def post(self, request):
        _valid(EmptySerializer, request)
        services.end_session(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AccountView(APIView):
    """The account's summary; DELETE erases the account and everything it holds."""

    @extend_schema(responses=AccountSerializer)
    def get(self, request):
        return Response(AccountSerializer(services.account_summary(request.user)).data)

    @extend_schema(request=DeleteAccountSerializer, responses={
        204: None, **errors((400, "`confirm_mismatch` or `malformed`"))})
    @body_on_delete
    def delete(self, request):
        services.delete_account(account=request.user, session=request.auth,
                                **_valid(DeleteAccountSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CredentialsView(APIView):
    """Password change: new salt, verifier, KDF and re-wrapped account key; ends other sessions."""

    @extend_schema(request=CredentialsSerializer, responses={204: None})
    def put(self, request):
        services.change_credentials(account=request.user, session=request.auth,
                                    **_valid(CredentialsSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)
