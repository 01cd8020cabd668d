"""Strict input parsing and the JSON shapes of folders, documents and chunks (docs/api.md).

Input is refused with 400 `malformed` when a field is missing, unknown, of the wrong JSON type
(no "12" for 12, no true for 1), not canonical base64url, or of a length a sealed box cannot
have."""

import re
import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from documents.services import content_updated, is_box_length, is_document_size
from webclient.vault.encoding import b64d, b64e

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
WRAPPED_KEY_BYTES = 97  # a sealed 32-byte key: 49 + 48
# Twice the largest metadata our clients make (a 1,024-character name of escaped characters, a
# 255-character type: some 8 KB), leaving room for fields a later version may add.
META_MAX_BYTES = 16 * 1024


def parse_uuid(text):
    """A lowercase canonical UUID, or None."""
    if isinstance(text, str) and UUID_TEXT.fullmatch(text):
        return uuid.UUID(text)
    return None


@extend_schema_field({"type": "string", "format": "uuid"})
class UuidTextField(serializers.Field):
    def to_internal_value(self, data):
        value = parse_uuid(data)
        if value is None:
            raise serializers.ValidationError("Not a lowercase canonical UUID.")
        return value

    def to_representation(self, value):
        return str(value)


@extend_schema_field({"type": "string", "pattern": "^[A-Za-z0-9_-]*$",
                      "description": "A sealed box, base64url without padding."})
class SealedBoxField(serializers.Field):
    """Base64url of a sealed box; `exact` pins its length in bytes, `maximum` bounds it."""

    def __init__(self, *, exact=None, maximum=None, **kwargs):
        self.exact = exact
        self.maximum = maximum
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            value = b64d(data)
        except ValueError:
            raise serializers.ValidationError("Not base64url without padding.") from None
        if self.exact is not None and len(value) != self.exact:
            raise serializers.ValidationError(f"Must be a sealed box of exactly {self.exact} bytes.")
        if not is_box_length(len(value)):
            raise serializers.ValidationError("Not the length of a sealed box.")
        if self.maximum is not None and len(value) > self.maximum:
            raise serializers.ValidationError(f"Must be a sealed box of at most {self.maximum} bytes.")
        return value

    def to_representation(self, value):
        return b64e(bytes(value))


def meta_field(**kwargs):
    """Sealed metadata as clients send it: at most META_MAX_BYTES."""
    return SealedBoxField(maximum=META_MAX_BYTES, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class StrictIntegerField(serializers.Field):
    def __init__(self, *, min_value=0, **kwargs):
        self.min_value = min_value
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, int) or isinstance(data, bool):
            raise serializers.ValidationError("Must be a JSON integer.")
        if data < self.min_value or data >= 2**63:
            raise serializers.ValidationError("Out of range.")
        return data

    def to_representation(self, value):
        return value


class StrictSerializer(serializers.Serializer):
    """Refuses bodies that are not a JSON object or that carry fields it does not know."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"body": "Must be a JSON object."})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({unknown[0]: "Unknown field."})
        return super().to_internal_value(data)


class AtLeastOneFieldSerializer(StrictSerializer):
    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(f"Give at least one of: {', '.join(self.fields)}.")
        return attrs


# --- Folders --------------------------------------------------------------------------------------

class FolderCreateSerializer(StrictSerializer):
    id = UuidTextField()
    parent = UuidTextField(allow_null=True)
    meta = meta_field()


class FolderUpdateSerializer(AtLeastOneFieldSerializer):
    parent = UuidTextField(allow_null=True, required=False)
    meta = meta_field(required=False)


class FolderSerializer(serializers.Serializer):
    id = UuidTextField()
    parent = UuidTextField(source="parent_id", allow_null=True)
    meta = SealedBoxField()
    created = serializers.DateTimeField()


class FolderListSerializer(serializers.Serializer):
    folders = FolderSerializer(many=True)


# --- Documents ------------------------------------------------------------------------------------

class DocumentCreateSerializer(StrictSerializer):
    id = UuidTextField()
    folder = UuidTextField(allow_null=True)
    wrapped_key = SealedBoxField(exact=WRAPPED_KEY_BYTES)
    meta = meta_field()
    chunks = StrictIntegerField(min_value=1)
    size = StrictIntegerField(min_value=0, help_text="Total byte length of all the boxes.")

    def validate(self, attrs):
        if not is_document_size(attrs["chunks"], attrs["size"]):
            raise serializers.ValidationError({"size": "Cannot be the total length of the boxes: every "
                                               "chunk but the last is a full box of 4,194,369 bytes, and "
                                               "the last a box of 65 to 4,194,369 (49 + a multiple of 16)."})
        return attrs


class DocumentUpdateSerializer(AtLeastOneFieldSerializer):
    folder = UuidTextField(allow_null=True, required=False)
    meta = meta_field(required=False)


class CommitSerializer(StrictSerializer):
    meta = meta_field(required=False)


class DocumentSerializer(serializers.Serializer):
    id = UuidTextField()
    folder = UuidTextField(source="folder_id", allow_null=True)
    wrapped_key = SealedBoxField()
    meta = SealedBoxField()
    chunks = serializers.IntegerField()
    size = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["pending", "committed"])
    created = serializers.DateTimeField()
    committed = serializers.DateTimeField(allow_null=True)
    updated = serializers.SerializerMethodField(help_text=(
        "When the stored content last changed: the commit; while pending, the latest chunk "
        "stored (the creation before any)."))

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_updated(self, document):
        return serializers.DateTimeField().to_representation(content_updated(document))


class DocumentListSerializer(serializers.Serializer):
    documents = DocumentSerializer(many=True)


# --- Chunks ---------------------------------------------------------------------------------------

class ChunkSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    size = serializers.IntegerField()
    etag = serializers.SerializerMethodField(help_text="Lowercase hex SHA-256 of the box.")

    def get_etag(self, chunk) -> str:
        return bytes(chunk.sha256).hex()


class ChunkListingSerializer(serializers.Serializer):
    id = UuidTextField()
    state = serializers.ChoiceField(choices=["pending", "committed"])
    chunks = serializers.IntegerField()
    size = serializers.IntegerField()
    wrapped_key = SealedBoxField()
    meta = SealedBoxField()
    present = ChunkSerializer(many=True)
