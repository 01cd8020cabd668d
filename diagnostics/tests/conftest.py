from anoni.tests.fixtures import http  # noqa: F401  (a fixture)
