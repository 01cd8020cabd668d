"""Signs every answer to a signed request (DESIGN §7): `X-Anoni-Signature`."""

from io import BytesIO

from accounts.signing import RESPONSE_HEADER, response_mac, response_mac_of_digest
from webclient.vault.encoding import b64e


class ResponseSigningMiddleware:
    """Once SignedRequestAuthentication has identified the session and its key, it leaves
    (sign_key, nonce) on the request; whatever the answer then is, error or not, it is signed.
    Answers to requests whose session could not be identified stay unsigned."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        _release_body(request)
        signing = getattr(request, "anoni_signing", None)
        if signing is None:
            return response
        sign_key, nonce = signing
        recorded = getattr(response, "anoni_body_sha256", None)
        if recorded is not None and request.method != "HEAD":
            # A chunk's box, signed over the digest recorded when it was stored rather than over
            # the bytes read back: hashing 4 MiB again was a third of such a GET's CPU. A box
            # altered at rest then fails the client's signature check (an integrity failure
            # there), where before the server vouched for whatever the storage returned.
            response[RESPONSE_HEADER] = b64e(response_mac_of_digest(sign_key, nonce, response.status_code,
                                                                    recorded))
            return response
        if request.method == "HEAD":
            # The signature covers the body the client gets: none (anoni.middleware drops it).
            body = b""
        elif response.streaming:
            # A signature covers the whole body, so a streamed answer (at most one chunk box here)
            # is collected first.
            body = b"".join(response.streaming_content)
            response.streaming_content = [body]
        else:
            body = response.content
        response[RESPONSE_HEADER] = b64e(response_mac(sign_key, nonce, response.status_code, body))
        return response


def _release_body(request):
    """Drops Django's cached copy of the request body once the answer exists (nothing reads it
    later). The request sits in reference cycles (DRF's request and view, the messages storage),
    so without this a 4 MiB chunk box would stay alive until the cyclic garbage collector runs,
    dozens of requests later: with uploads in flight, hundreds of MB per worker."""
    if hasattr(request, "_body"):
        request._body = b""
        request._stream = BytesIO()  # the copy for parsers shares the body's buffer
