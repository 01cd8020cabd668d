"""Request shapes (strict JSON: exact types, canonical base64url, no missing or unknown fields)
and response shapes. Rules beyond the shape (lengths, ranges, username rules) are the services'."""

import math

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.services import (CHALLENGE_BYTES, GROUP, KDF_NAME, PROOF_BYTES, SALT_BYTES,
                               WRAPPED_ACCOUNT_KEY_BYTES)
from accounts.sessions import SID_BYTES
from webclient.vault.encoding import b64d, b64e


def _bytes(count: int, what: str) -> str:
    """A binary field's description in the schema: what it is, and its length as bytes and as
    base64url text (the services check the lengths)."""
    return f"{what}: {count} bytes, base64url without padding ({math.ceil(count * 4 / 3)} characters)."


@extend_schema_field({"type": "string", "pattern": "^[A-Za-z0-9_-]*$"})
class Base64UrlField(serializers.Field):
    """Bytes as unpadded, canonical base64url text."""

    default_error_messages = {"invalid": "Not unpadded base64url."}

    def to_internal_value(self, data):
        try:
            return b64d(data)
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value):
        return b64e(value)


@extend_schema_field(OpenApiTypes.STR)
class StrictStringField(serializers.Field):
    """A JSON string taken exactly as sent: no coercion from numbers, no trimming."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


@extend_schema_field(OpenApiTypes.INT)
class StrictIntegerField(serializers.Field):
    """A JSON integer: not a string, float or boolean."""

    default_error_messages = {"invalid": "Must be an integer."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know (docs/api.md: unknown fields are `400 malformed`)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({unknown[0]: "Unknown field."})
        return super().to_internal_value(data)


class KdfSerializer(StrictSerializer):
    name = StrictStringField()
    iterations = StrictIntegerField()


class CredentialsSerializer(StrictSerializer):
    salt = Base64UrlField(help_text=_bytes(SALT_BYTES, "The password KDF's salt"))
    verifier = Base64UrlField(help_text=_bytes(GROUP.pad_length, "The SRP verifier PAD(v), 1 <= v < N"))
    kdf = KdfSerializer()
    wrapped_account_key = Base64UrlField(help_text=_bytes(
        WRAPPED_ACCOUNT_KEY_BYTES, "The account key sealed under the password's kek"))


class SignupSerializer(CredentialsSerializer):
    username = StrictStringField()


class SignupResponseSerializer(serializers.Serializer):
    id = serializers.UUIDField()


class ChallengeSerializer(StrictSerializer):
    username = StrictStringField()
    A = Base64UrlField(help_text=_bytes(GROUP.pad_length, "The client's SRP public value PAD(A)"))


class ChallengeResponseSerializer(serializers.Serializer):
    challenge = Base64UrlField(source="token", help_text=_bytes(CHALLENGE_BYTES, "An opaque token for the verify"))
    salt = Base64UrlField(help_text=_bytes(SALT_BYTES, "The password KDF's salt"))
    kdf = serializers.SerializerMethodField()
    B = Base64UrlField(help_text=_bytes(GROUP.pad_length, "The server's SRP public value PAD(B)"))
    server_time = serializers.IntegerField()

    @extend_schema_field(KdfSerializer)
    def get_kdf(self, challenge) -> dict:
        return {"name": KDF_NAME, "iterations": challenge.kdf_iterations}


class VerifySerializer(StrictSerializer):
    challenge = Base64UrlField(help_text=_bytes(CHALLENGE_BYTES, "The challenge's token"))
    M1 = Base64UrlField(help_text=_bytes(PROOF_BYTES, "The client's SRP proof"))


class LoginAccountSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    wrapped_account_key = Base64UrlField(help_text=_bytes(
        WRAPPED_ACCOUNT_KEY_BYTES, "The account key sealed under the password's kek"))


class VerifyResponseSerializer(serializers.Serializer):
    M2 = Base64UrlField(help_text=_bytes(PROOF_BYTES, "The server's SRP proof"))
    session = Base64UrlField(source="sid", help_text=_bytes(
        SID_BYTES, "The session id, `sid` of the Authorization header"))
    expires_at = serializers.IntegerField()
    account = LoginAccountSerializer()


class AccountSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    created = serializers.DateTimeField()
    quota_bytes = serializers.IntegerField()
    used_bytes = serializers.IntegerField()


class DeleteAccountSerializer(StrictSerializer):
    confirm = StrictStringField()


class EmptySerializer(StrictSerializer):
    """A body with no fields (empty, or `{}`)."""
