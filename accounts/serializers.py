"""Request shapes (strict JSON: exact types, canonical base64url, no missing or unknown fields)
and response shapes. Rules beyond the shape (lengths, ranges, username rules) are the services'."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.services import KDF_NAME
from webclient.vault.encoding import b64d, b64e


@extend_schema_field(OpenApiTypes.STR)
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
    salt = Base64UrlField()
    verifier = Base64UrlField()
    kdf = KdfSerializer()
    wrapped_account_key = Base64UrlField()


class SignupSerializer(CredentialsSerializer):
    username = StrictStringField()


class SignupResponseSerializer(serializers.Serializer):
    id = serializers.UUIDField()


class ChallengeSerializer(StrictSerializer):
    username = StrictStringField()
    A = Base64UrlField()


class ChallengeResponseSerializer(serializers.Serializer):
    challenge = Base64UrlField(source="token")
    salt = Base64UrlField()
    kdf = serializers.SerializerMethodField()
    B = Base64UrlField()
    server_time = serializers.IntegerField()

    @extend_schema_field(KdfSerializer)
    def get_kdf(self, challenge) -> dict:
        return {"name": KDF_NAME, "iterations": challenge.kdf_iterations}


class VerifySerializer(StrictSerializer):
    challenge = Base64UrlField()
    M1 = Base64UrlField()


class LoginAccountSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    wrapped_account_key = Base64UrlField()


class VerifyResponseSerializer(serializers.Serializer):
    M2 = Base64UrlField()
    session = Base64UrlField(source="sid")
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
