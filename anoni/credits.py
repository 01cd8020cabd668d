"""The open-source components Anoni ships, with their licences as their own metadata states them
(anoni/tests/test_credits.py checks the server's list against the installed distributions)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Component:
    name: str  # for Python packages, the distribution's name as pip knows it
    licence: str  # an SPDX expression
    purpose: str = ""


SERVER = [
    Component("Django", "BSD-3-Clause", _("The web framework: site, admin and API")),
    Component("djangorestframework", "BSD-3-Clause", _("The REST API")),
    Component("drf-spectacular", "BSD-3-Clause", _("The API's OpenAPI description")),
    Component("srptools", "BSD-3-Clause", _("SRP-6a, the password-free login")),
    Component("cryptography", "Apache-2.0 OR BSD-3-Clause", _("HKDF, HMAC and the other primitives")),
    Component("httpx", "BSD-3-Clause", _("HTTP client of the command-line tool")),
    Component("django-storages", "BSD-3-Clause", _("Encrypted chunks in S3-compatible object storage")),
    Component("boto3", "Apache-2.0", _("The S3 protocol")),
    Component("whitenoise", "MIT", _("Serves the site's static files")),
    Component("gunicorn", "MIT", _("The application server")),
    Component("psycopg", "LGPL-3.0-only", _("PostgreSQL database driver")),
    Component("redis", "MIT", _("Shared cache for logins and rate limits")),
    Component("dj-database-url", "BSD-3-Clause", _("Database settings from the environment")),
    Component("Markdown", "BSD-3-Clause", _("Blog posts")),
    Component("nh3", "MIT", _("Cleans the blog's HTML")),
]

# What the packages above need in turn (their own dependencies, installed with them).
SERVER_DEPENDENCIES = [
    Component("anyio", "MIT"),
    Component("asgiref", "BSD-3-Clause"),
    Component("attrs", "MIT"),
    Component("botocore", "Apache-2.0"),
    Component("certifi", "MPL-2.0"),
    Component("cffi", "MIT-0"),
    Component("h11", "MIT"),
    Component("httpcore", "BSD-3-Clause"),
    Component("idna", "BSD-3-Clause"),
    Component("inflection", "MIT"),
    Component("jmespath", "MIT"),
    Component("jsonschema", "MIT"),
    Component("jsonschema-specifications", "MIT"),
    Component("psycopg-binary", "LGPL-3.0-only"),
    Component("pycparser", "BSD-3-Clause"),
    Component("python-dateutil", "Apache-2.0 AND BSD-3-Clause"),
    Component("PyYAML", "MIT"),
    Component("referencing", "MIT"),
    Component("rpds-py", "MIT"),
    Component("s3transfer", "Apache-2.0"),
    Component("six", "MIT"),
    Component("sqlparse", "BSD-3-Clause"),
    Component("typing_extensions", "PSF-2.0"),
    Component("uritemplate", "BSD-3-Clause OR Apache-2.0"),
    Component("urllib3", "MIT"),
]

BROWSER = [
    Component("Bootstrap", "MIT", _("Layout and styles of these pages")),
    Component("Popper", "MIT", _("Places the menus (bundled with Bootstrap)")),
    Component("Pyodide", "MPL-2.0", _("Runs Python in the browser, for the web vault")),
    Component("CPython", "PSF-2.0", _("The Python interpreter and standard library inside Pyodide")),
    Component("srptools", "BSD-3-Clause", _("SRP-6a, the password-free login")),
]

COMMAND_LINE = [
    Component("srptools", "BSD-3-Clause", _("SRP-6a, the password-free login")),
    Component("cryptography", "Apache-2.0 OR BSD-3-Clause", _("AES, HMAC, HKDF and PBKDF2")),
    Component("httpx", "BSD-3-Clause", _("HTTP client")),
]
