"""The translation catalogues (the templates' and Python's `django`, the vault's JavaScript
`djangojs`) are complete, and the committed .mo files match the .po files (compiled in advance,
so that a machine without gettext serves every language)."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from anoni.tests.support import LANGUAGES

LOCALE = Path(settings.LOCALE_PATHS[0])
TRANSLATED = [code for code in LANGUAGES if code != settings.LANGUAGE_CODE]
# Each domain with fewer entries than it surely has, so that a catalogue emptied by a bad
# extraction cannot pass as complete.
DOMAINS = {"django": 200, "djangojs": 50}
CATALOGUES = [(language, domain) for language in TRANSLATED for domain in DOMAINS]


def _unquote(lines):
    return "".join(re.findall(r'^"(.*)"$', line.strip())[0] for line in lines).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def entries(po_path):
    """[(flags, msgctxt, msgid, msgid_plural, [msgstr...])] read from a .po file, header included."""
    result = []
    for block in po_path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line and not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        flags = {flag.strip() for line in lines if line.startswith("#,") for flag in line[2:].split(",")}
        fields, current = {}, None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d+\])?|msgctxt) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = [match.group(2)]
            else:
                fields[current].append(line)
        texts = {key: _unquote(value) for key, value in fields.items()}
        strings = [value for key, value in sorted(texts.items()) if key.startswith("msgstr")]
        result.append((flags, texts.get("msgctxt"), texts["msgid"], texts.get("msgid_plural"), strings))
    return result


def test_every_catalogue_is_checked():
    found = {(path.parts[-3], path.stem) for path in LOCALE.glob("*/LC_MESSAGES/*.po")}
    assert found == set(CATALOGUES)


@pytest.mark.parametrize("language, domain", CATALOGUES)
def test_every_entry_is_translated_and_none_is_fuzzy(language, domain):
    po_path = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    catalogue = entries(po_path)
    assert len(catalogue) > DOMAINS[domain]
    fuzzy = [msgid for flags, _, msgid, _, _ in catalogue if "fuzzy" in flags]
    untranslated = [msgid for _, _, msgid, _, strings in catalogue if msgid and not all(s.strip() for s in strings)]
    assert fuzzy == []
    assert untranslated == []


@pytest.mark.parametrize("language, domain", CATALOGUES)
def test_compiled_catalogue_matches_its_source(language, domain):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / f"{domain}.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for _, context, msgid, msgid_plural, strings in entries(folder / f"{domain}.po"):
        if not msgid:
            continue
        if context is not None:  # ("Download" the action, beside "Download" the page)
            assert compiled.pgettext(context, msgid) == strings[0], (context, msgid)
        elif msgid_plural is None:
            assert compiled.gettext(msgid) == strings[0], msgid
        else:
            assert compiled.ngettext(msgid, msgid_plural, 1) in strings, msgid
            assert compiled.ngettext(msgid, msgid_plural, 5) in strings, msgid


@pytest.mark.parametrize("language, domain", CATALOGUES)
def test_placeholders_survive_translation(language, domain):
    for _, _, msgid, msgid_plural, strings in entries(LOCALE / language / "LC_MESSAGES" / f"{domain}.po"):
        expected = set(re.findall(r"%\(\w+\)[sd]", msgid))
        for translated in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", translated)) == expected, msgid
            assert translated.count("<a ") == msgid.count("<a "), msgid
