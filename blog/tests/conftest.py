from anoni.tests.fixtures import http, operator_http  # noqa: F401  (fixtures)
