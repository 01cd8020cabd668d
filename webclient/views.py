"""The browser vault's page. Everything the vault does happens in the browser (webclient/static);
the server only hands out the page, the runtime and the wheels, and never sees a key or a name."""

import json
from importlib.metadata import version

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from webclient import wheels

# The vendored runtime's version (package.json), which is also its directory under static/vendor.
PYODIDE_VERSION = json.loads((settings.BASE_DIR / "package.json").read_text())["dependencies"]["pyodide"]
CLIENT_VERSION = version("anoni-client")
BENCH_RESULTS = "bench-browser.jsonl"


def _wheels():
    """[{url, sha256}] of the wheels the worker installs, from the manifest `make wheels` wrote."""
    try:
        manifest = wheels.load_manifest()
    except FileNotFoundError:
        raise ImproperlyConfigured("The browser vault's wheels are missing: run "
                                   "`python -m webclient.wheels` (part of `make setup`).") from None
    return [{"url": static(f"webclient/wheels/{wheel['file']}"), "sha256": wheel["sha256"]}
            for wheel in manifest["wheels"]]


def vault(request):
    pyodide = f"vendor/pyodide/{PYODIDE_VERSION}/"
    config = {
        "worker": static("webclient/js/worker.js"),
        "bridge": static("webclient/js/bridge.js"),
        "client": static("webclient/js/client.js"),
        "serviceWorker": static("webclient/js/download-sw.js"),
        "pyodide": static(pyodide + "pyodide.mjs"),
        # The runtime fetches its other files by name from this directory (versioned path).
        "indexURL": static(pyodide),
        "wheels": _wheels(),
        "diagnostics": reverse("diagnostics-client-log"),
        "version": CLIENT_VERSION,
        "idleLogoutSeconds": settings.ANONI_VAULT_IDLE_LOGOUT,
    }
    if settings.ANONI_BENCH:
        config.update(bench=static("webclient/js/bench.js"), benchResults=reverse("vault-bench-results"),
                      benchDiscard=reverse("vault-bench-discard"))
    return render(request, "webclient/vault.html", {"config": json.dumps(config)})


@csrf_exempt
@require_POST
def bench_results(request):
    """Only routed while ANONI_BENCH is on: bench/browser.py's figures, posted by bench.js, are
    appended to var/bench-browser.jsonl, where the bench reads them."""
    figures = json.loads(request.body)
    with open(settings.VAR_DIR / BENCH_RESULTS, "a") as results:
        results.write(json.dumps(figures) + "\n")
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def bench_discard(request):
    """Only routed while ANONI_BENCH is on: reads the body and throws it away, so that bench.js can
    measure the transport alone (the browser reading a file and POSTing it, the server receiving)."""
    request.body  # noqa: B018 - read, as a chunk upload's body is read, and dropped
    return HttpResponse(status=204)
