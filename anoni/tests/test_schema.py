"""The OpenAPI schema lists the error answers the server really gives where schemathesis cannot
find them (tests/test_fuzz_api.py fuzzes only the bodies the schema describes)."""

from drf_spectacular.generators import SchemaGenerator

from tests.kit import open_vault, run, session_of
from webclient.vault.errors import ApiError
from webclient.vault.session import API


def operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        if path.startswith(API) and not path.endswith("/schema/"):
            yield from ((method.upper(), path, operation) for method, operation in methods.items())


def test_every_operation_lists_413_the_size_limit_judged_before_any_view():
    listed = list(operations())
    assert len(listed) > 20
    assert [(method, path) for method, path, operation in listed if "413" not in operation["responses"]] == []


def test_logout_reads_a_body_it_does_not_document_and_lists_its_415(server_url):
    logout = {(method, path): operation for method, path, operation in operations()}[("POST", API + "auth/logout")]
    assert "415" in logout["responses"]
    vault = run(open_vault(server_url))
    try:
        run(session_of(vault).request("POST", API + "auth/logout", body=b"bye", content_type="text/plain"))
    except ApiError as refused:
        assert (refused.status, refused.code) == (415, "unsupported_media_type")
    else:
        raise AssertionError("a text/plain body to logout was accepted")
    run(vault.close())


def test_signed_answers_declare_their_signature_and_waits_their_retry_after():
    """Headers that docs/protocol.md names, declared where they come (a client written from the
    schema alone had them only from the prose)."""
    for method, path, operation in operations():
        signed = operation.get("security") != [{}]
        for code, response in operation["responses"].items():
            headers = response.get("headers", {})
            # 411 and 413 are judged before the session is looked at: never signed.
            assert ("X-Anoni-Signature" in headers) == (signed and code not in ("411", "413")), (
                method, path, code)
            if code in ("429", "503"):
                assert "Retry-After" in headers, (method, path, code)
        if "requestBody" in operation:
            assert "411" in operation["responses"], (method, path)
    challenge = {(method, path): operation for method, path, operation in operations()}[
        ("POST", API + "auth/challenge")]
    assert "invalid_username" in challenge["responses"]["400"]["description"]
