"""OpenAPI description of the signed-request scheme (drf-spectacular), so that the schema at
/api/v1/schema/ marks every signed endpoint as such."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SignedRequestScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.SignedRequestAuthentication"
    name = "AnoniSignature"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Anoni sid=<session>, ts=<unix seconds>, nonce=<16 bytes>, sig=<HMAC>`, "
                           "a per-request signature with the session's key; every answer carries "
                           "`X-Anoni-Signature`. See docs/protocol.md.",
        }
