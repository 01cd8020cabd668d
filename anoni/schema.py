"""The error answers every API operation can give, added to the OpenAPI schema in one place
(a drf-spectacular postprocessing hook) rather than repeated on every view: malformed input and
headers (400), a refused signature (401, signed operations), bodies over the limit (413, any
operation) or of the wrong type (415), rate limits (429, the unsigned operations) and a backing service that is down
(503). What a view documents itself is kept: with `errors()`, the answers particular to it."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

ERROR_COMPONENT = "ApiError"
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string"}, "detail": {"type": "string"},
        "missing": {"type": "array", "items": {"type": "integer"},
                    "description": "`409 incomplete`: the chunk indexes not stored (the first 1,000)"},
        "server_time": {"type": "integer",
                        "description": "`401 stale_timestamp`: the server's Unix time"},
        "min_iterations": {"type": "integer",
                           "description": "`400 weak_kdf`: the fewest PBKDF2 iterations the server "
                                          "accepts (the operator's setting; 600,000 by default)"},
        "max_iterations": {"type": "integer",
                           "description": "`400 weak_kdf`: the most it accepts (10,000,000 by default)"},
    },
    "required": ["code", "detail"],
    "description": "{code, detail}, plus extra fields for some codes (docs/api.md).",
}
# Headers the prose of docs/protocol.md names, declared where they come.
SIGNATURE_HEADER = {"X-Anoni-Signature": {
    "description": "base64url HMAC-SHA-256 of the answer under the session's signing key "
                   "(docs/protocol.md §5). Absent only from the answers a server cannot sign (the "
                   "401 of a missing header or an unknown, ended or expired session; a backing "
                   "service's 503; the 411 and 413 judged before the session is looked at, and "
                   "the 404 of a path that is no endpoint), which a client must not act on.",
    "schema": {"type": "string"}}}
# Refused before the session is looked at: never signed, so declared without the header.
NEVER_SIGNED = ("411", "413")
RETRY_AFTER_HEADER = {"Retry-After": {"description": "Seconds to wait before trying again",
                                      "schema": {"type": "integer"}}}
DESCRIPTIONS = {
    "400": "Malformed request (`malformed` or a more precise code)",
    "401": "Signature refused: `not_authenticated`, `session_expired`, `replayed`, `stale_timestamp`, "
           "`bad_signature`",
    "411": "`length_required`: a body sent without a Content-Length (chunked)",
    "413": "`body_too_large`",
    "415": "`unsupported_media_type`",
    "429": "`rate_limited`, with Retry-After",
    "503": "`database_unavailable`, `cache_unavailable` or `storage_unavailable` (or, for a chunk "
           "upload, `chunk_busy`), "
           "with Retry-After",
}
ERROR_REFERENCE = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}


def errors(*answers) -> dict:
    """`responses` entries for the errors particular to an operation: each answer is a status, or
    (status, description naming its codes)."""
    described = (answer if isinstance(answer, tuple) else (answer, "Error {code, detail}")
                 for answer in answers)
    return {status: OpenApiResponse(ERROR_REFERENCE, description=description)
            for status, description in described}


class BodyOnDelete(AutoSchema):
    """Documents the request body of a DELETE, which drf-spectacular leaves out for every method
    but PUT, PATCH and POST (deleting the account carries its confirmation)."""

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


def body_on_delete(view_method):
    """Marks a view's `delete` as taking a body (BodyOnDelete); put it below @extend_schema."""
    view_method.schema = BodyOnDelete
    return view_method


def _common_errors(operation: dict) -> list[str]:
    # 413 on every operation: the size limit is judged from Content-Length before any view, for
    # a body an operation does not take too.
    codes = ["400", "413", "503"]
    unsigned = operation.get("security") == [{}]
    codes.append("429" if unsigned else "401")
    if "requestBody" in operation:
        codes += ["411", "415"]
    return codes


def add_common_errors(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/") or path.endswith("/schema/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code in _common_errors(operation):
                responses.setdefault(code, {"description": DESCRIPTIONS[code],
                                            "content": {"application/json": {"schema": ERROR_REFERENCE}}})
            signed = operation.get("security") != [{}]
            for code, response in responses.items():
                headers = response.setdefault("headers", {})
                if signed and code not in NEVER_SIGNED:
                    headers.update(SIGNATURE_HEADER)
                if code in ("429", "503"):
                    headers.update(RETRY_AFTER_HEADER)
                if not headers:
                    del response["headers"]
    return result
