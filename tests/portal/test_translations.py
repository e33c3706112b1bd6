"""The English catalogue: complete, compiled, and used when a visitor switches to English.

The portal is Japanese first: every msgid is Japanese and locale/en/LC_MESSAGES/django.po
gives the English. These tests fail when a new string is marked for translation but not
translated (run makemessages, translate, compilemessages), when the committed .mo is older
than the .po, and when a public page still shows Japanese UI text to an English reader.
"""

import ast
import gettext
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"

# Kana and kanji; Japanese punctuation and full-width forms alone do not count.
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+")
# The language switcher names Japanese in Japanese, as language pickers do.
ALLOWED_JAPANESE = {"日本語"}
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%%")


# ---------------------------------------------------------------- the .po file


class PoEntry:
    def __init__(self) -> None:
        self.flags: set[str] = set()
        self.msgctxt: str | None = None
        self.msgid = ""
        self.msgid_plural: str | None = None
        self.msgstr = ""
        self.msgstr_plural: dict[int, str] = {}
        self.line = 0

    @property
    def is_plural(self) -> bool:
        return self.msgid_plural is not None

    def translations(self) -> list[str]:
        if self.is_plural:
            return [self.msgstr_plural.get(index, "") for index in range(2)]
        return [self.msgstr]


def _po_string(text: str) -> str:
    # A PO string is a C string literal; for the escapes gettext writes (\" \\ \n \t),
    # a Python literal reads the same.
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[PoEntry]:
    """The active (not obsolete) entries of a .po file, header excluded."""
    entries: list[PoEntry] = []
    entry: PoEntry | None = None
    field: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal entry, field
        if entry is not None and (entry.msgid or entry.msgctxt is not None):
            entries.append(entry)
        entry, field = None, None

    def append(target: tuple[str, int | None], text: str) -> None:
        name, index = target
        if name == "msgstr_plural":
            entry.msgstr_plural[index] = entry.msgstr_plural.get(index, "") + text
        else:
            setattr(entry, name, (getattr(entry, name) or "") + text)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):  # obsolete entry: msgmerge keeps it for reference only
            continue
        if entry is None:
            entry = PoEntry()
            entry.line = number
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            keyword, index, text = match.groups()
            if keyword == "msgstr" and index is not None:
                field = ("msgstr_plural", int(index))
            else:
                field = (keyword, None)
            if keyword in ("msgctxt", "msgid_plural"):
                setattr(entry, keyword, "")
            append(field, _po_string(text))
        elif line.startswith('"') and field is not None:
            append(field, _po_string(line))
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[PoEntry]:
    return parse_po(PO_PATH)


def _where(entry: PoEntry) -> str:
    return f"django.po:{entry.line} {entry.msgid!r}"


def test_catalogue_has_entries(po_entries):
    assert len(po_entries) > 500
    assert any(entry.msgid == "本文へ移動" for entry in po_entries)
    assert any(entry.is_plural for entry in po_entries)


def test_every_entry_is_translated_and_not_fuzzy(po_entries):
    untranslated = [_where(e) for e in po_entries if not all(text.strip() for text in e.translations())]
    fuzzy = [_where(e) for e in po_entries if "fuzzy" in e.flags]

    assert untranslated == [], "untranslated entries: run makemessages and translate them"
    assert fuzzy == [], "fuzzy entries: check the suggested English and remove the fuzzy flag"


def test_translations_keep_every_placeholder(po_entries):
    wrong = []
    for entry in po_entries:
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in entry.translations():
            if sorted(PLACEHOLDER.findall(text)) != expected:
                wrong.append((_where(entry), text))
    assert wrong == []


def test_translations_contain_no_kana_or_kanji_except_where_meant(po_entries):
    # English text only; quoting a Japanese value the user must type (あり/なし), the language
    # name and examples of Japanese municipality names are the deliberate exceptions.
    allowed = {"日本語", "あり", "なし", "秋田市", "秋田県秋田市"}
    leftovers = []
    for entry in po_entries:
        for text in entry.translations():
            found = set(JAPANESE.findall(text)) - allowed
            if found:
                leftovers.append((_where(entry), sorted(found)))
    assert leftovers == []


def test_compiled_catalogue_matches_the_po_file(po_entries):
    """The committed .mo holds every translation of the .po (compilemessages was run)."""
    with MO_PATH.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog

    stale = []
    for entry in po_entries:
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if entry.is_plural:
            compiled = [catalog.get((key, index)) for index in range(2)]
        else:
            compiled = [catalog.get(key)]
        if compiled != entry.translations():
            stale.append(_where(entry))
    assert stale == [], "django.mo is out of date: run compilemessages and commit the .mo"


# ---------------------------------------------------------------- pages


class _VisibleText(HTMLParser):
    """Text a reader sees or hears: element text plus labelling attributes."""

    SKIP = {"script", "style"}
    ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = _VisibleText()
    parser.feed(response.content.decode())
    return unescape(" ".join(" ".join(parser.parts).split()))


ENGLISH_PAGES = {
    "/": [
        "Skip to main content",
        "RMO Portal",
        "MIC Regional Promotion Office",
        "Spreading the work of Region Management Organizations that sustain local life across Japan",
        "Search RMOs",
        "National Mayors' Summit",
        "Handling of personal data",
    ],
    "/seminars/": [
        "National Region Management Organization (RMO) Seminar",
        "Upcoming seminars",
        "Past seminars",
        "There are no seminars open for registration or scheduled at present.",
    ],
    "/summits/": [
        "National Mayors' Summit",
        "Past summits",
        "There are no upcoming summits at present.",
    ],
    "/organizations/": [
        "Find RMOs",
        "Keywords",
        "Legal form",
        "Voluntary association (unincorporated)",
        "Elementary school district",
        "Download these results as CSV",
        "No RMOs match your search.",
    ],
    "/about/": [
        "About our policies",
        "No policies are listed at present.",
    ],
}

# Japanese UI labels that an English reader must not see.
JAPANESE_LABELS = [
    "本文へ移動",
    "地域運営組織ポータル",
    "総務省 地域振興室",
    "メインメニュー",
    "表示言語",
    "地域運営組織を探す",
    "全国市町村長サミット",
    "個人情報の取扱い",
]


class EnglishClient:
    """The test client reading the English pages: the same paths under the /en/ prefix."""

    def __init__(self, client):
        self.client = client

    def get(self, path: str, *args, **kwargs):
        return self.client.get(f"/en{path}", *args, **kwargs)


@pytest.fixture
def english_client(client):
    return EnglishClient(client)


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "expected"), list(ENGLISH_PAGES.items()))
def test_page_renders_in_english_under_the_en_prefix(english_client, path, expected):
    response = english_client.get(path)

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    text = visible_text(response)
    missing = [phrase for phrase in expected if phrase not in text]
    assert missing == []
    shown = [label for label in JAPANESE_LABELS if label in text]
    assert shown == []
    # No kana or kanji at all (page data is empty in tests): a hard-coded Japanese string in a
    # template, or a msgid without a translation, shows up here.
    leftovers = sorted(set(JAPANESE.findall(text)) - ALLOWED_JAPANESE)
    assert leftovers == []


@pytest.mark.django_db
def test_not_found_page_in_english(english_client):
    response = english_client.get("/no-such-page/")

    assert response.status_code == 404
    text = visible_text(response)
    assert "Page not found" in text
    assert "ページが見つかりません" not in text


@pytest.mark.django_db
def test_japanese_is_the_default(client):
    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "ja"
    text = visible_text(response)
    assert "本文へ移動" in text
    assert "地域運営組織ポータル" in text
    assert "Skip to main content" not in text


@pytest.mark.django_db
def test_language_cookie_and_header_do_not_change_an_unprefixed_page(client):
    # The URL alone decides the language, so one URL is one page for every reader (and cache).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.headers["Content-Language"] == "ja"
    assert "本文へ移動" in visible_text(response)
