"""The credits name every component the server installs, with the licence it declares, and the
credits page shows them all."""

import importlib.metadata
import json
import re

from django.conf import settings
from django.utils.html import escape
from packaging.requirements import Requirement

from anoni import credits


def _key(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _installed_closure():
    """{distribution key: metadata} for requirements.txt and everything they require, with the
    extras requirements.txt asks for."""
    pending = [Requirement(line) for line in (settings.BASE_DIR / "requirements.txt").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    found = {}
    while pending:
        requirement = pending.pop()
        if _key(requirement.name) in found:
            continue
        distribution = importlib.metadata.distribution(requirement.name)
        found[_key(requirement.name)] = distribution.metadata
        for needed in distribution.requires or []:
            needed = Requirement(needed)
            extras = requirement.extras or {""}
            if needed.marker is None or any(needed.marker.evaluate({"extra": extra}) for extra in extras):
                pending.append(needed)
    return found


def test_every_installed_server_component_is_credited_with_its_declared_licence():
    credited = {_key(component.name): component.licence for component in credits.SERVER + credits.SERVER_DEPENDENCIES}
    installed = _installed_closure()
    assert set(installed) == set(credited)
    declared = {name: metadata["License-Expression"] for name, metadata in installed.items()
                if metadata["License-Expression"]}
    assert len(declared) > 20
    assert {name: credited[name] for name in declared} == declared


def test_front_end_licences_match_their_packages():
    modules = settings.BASE_DIR / "node_modules"
    packages = {"Bootstrap": "bootstrap", "Popper": "@popperjs/core", "Pyodide": "pyodide"}
    browser = {component.name: component.licence for component in credits.BROWSER}
    for name, package in packages.items():
        assert json.loads((modules / package / "package.json").read_text())["license"] == browser[name]


def test_credits_page_lists_every_component(http):
    html = http.get("/en/credits/").text
    for component in credits.SERVER + credits.BROWSER + credits.COMMAND_LINE:
        row = f'<th scope="row" translate="no">{component.name}</th><td>{escape(component.purpose)}</td><td translate="no">{component.licence}</td>'
        assert row in html
    for component in credits.SERVER_DEPENDENCIES:
        assert f'<li class="col">{component.name} <span class="text-body-secondary">({component.licence})</span></li>' in html
