"""English through gettext: the language a visitor asks for, and a complete catalog.

Chinese is the platform's language and every msgid is Chinese; English comes
from locale/en/LC_MESSAGES/django.po (`make` compiles it with compilemessages;
these tests compile their own copy so they read the catalog as committed).
"""

import ast
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.identity.signin_helpers import lisi

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture(autouse=True)
def _chinese_again_afterwards():
    # LocaleMiddleware activates the request's language for the whole thread;
    # later tests in this worker expect the default Chinese.
    yield
    translation.deactivate()


@pytest.fixture
def english_catalog(settings, tmp_path):
    """The committed English catalog, compiled here so a stale or missing .mo
    (or a machine without gettext) cannot decide what the pages show."""
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    write_mo(parse_po(PO_FILE), target / "django.mo")
    settings.LOCALE_PATHS = [tmp_path]


def write_mo(entries: list[dict], path: Path) -> None:
    """GNU .mo layout: header, sorted original and translation tables, strings."""
    pairs = sorted(
        (
            (
                m["msgid"] + ("\0" + m["plural"] if m["plural"] is not None else "")
            ).encode(),
            "\0".join(m["msgstr"][i] for i in sorted(m["msgstr"])).encode(),
        )
        for m in entries
        if "fuzzy" not in m["flags"]
    )
    count = len(pairs)
    originals_at, translations_at = 28, 28 + 8 * count
    data_at = 28 + 16 * count
    table, blob = [], b""
    for strings in ([key for key, _ in pairs], [value for _, value in pairs]):
        for string in strings:
            table.append((len(string), data_at + len(blob)))
            blob += string + b"\0"
    header = struct.pack(
        "<7I", 0x950412DE, 0, count, originals_at, translations_at, 0, data_at
    )
    cells = b"".join(struct.pack("<2I", *cell) for cell in table)
    path.write_bytes(header + cells + blob)


@pytest.fixture
def staff_signed_in(client, settings):
    settings.EGOV_STAFF_2FA_REQUIRED = False
    client.force_login(lisi())
    return client


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# (a) A visitor who asks for English reads English.


@pytest.mark.django_db
def test_language_cookie_turns_the_public_home_into_english(client, english_catalog):
    # Given a visitor whose language cookie says English
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    # When they open the portal's home page
    page = text(client.get("/"))

    # Then the page speaks English and no longer shows the Chinese labels
    assert '<html lang="en">' in page
    assert "Welcome to the 示范县人民政府 portal" in page
    assert "Register a personal account" in page
    assert "Online service hall" in page
    assert "注册个人账号" not in page


@pytest.mark.django_db
def test_accept_language_turns_the_sign_in_page_into_english(client, english_catalog):
    # Given a browser that prefers English
    # When it opens the sign-in page
    page = text(client.get("/login/", HTTP_ACCEPT_LANGUAGE="en"))

    # Then the form and its explanations are in English
    assert "User sign-in" in page
    assert "Password sign-in" in page
    assert "SMS verification code sign-in" in page
    assert (
        "Account / mobile phone number / ID number / unified social credit code" in page
    )
    assert "用户登录" not in page


@pytest.mark.django_db
def test_staff_member_with_english_cookie_sees_an_english_workbench(
    staff_signed_in, english_catalog
):
    # Given 李四, signed in, whose language cookie says English
    staff_signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    # When he opens his workbench
    page = text(staff_signed_in.get("/staff/"))

    # Then its title, counters and menu are in English
    assert "My workbench" in page
    assert "Government office platform" in page
    assert "To-do" in page
    assert "Started by me" in page
    assert "Personal settings" in page
    assert "我的工作台" not in page


@pytest.mark.django_db
def test_choosing_english_through_set_language_keeps_it_for_the_next_page(
    client, english_catalog
):
    # Given a visitor on the Chinese home page
    # When they press the English button of the language switch
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    # Then the next page they open is in English
    assert response.status_code == 302
    assert "Online service hall" in text(client.get("/"))


def test_english_plural_forms_follow_the_count(english_catalog):
    # Given the English catalog, where one Chinese form becomes two
    with translation.override("en"):
        # When a time left is said for one day and for three days
        one = translation.ngettext("剩余%(n)d天", "剩余%(n)d天", 1) % {"n": 1}
        three = translation.ngettext("剩余%(n)d天", "剩余%(n)d天", 3) % {"n": 3}

    # Then the singular and the plural are both right
    assert one == "1 day left"
    assert three == "3 days left"


# (b) Without a preference the platform speaks Chinese.


@pytest.mark.django_db
def test_home_and_sign_in_are_chinese_without_a_language_preference(client):
    # Given a visitor who states no language
    # When they open the home page and the sign-in page
    home = text(client.get("/"))
    login = text(client.get("/login/"))

    # Then both are in Chinese
    assert '<html lang="zh-hans">' in home
    assert "欢迎访问示范县人民政府门户网站" in home
    assert "网上办事大厅" in home
    assert "用户登录" in login
    assert "User sign-in" not in login


@pytest.mark.django_db
def test_workbench_is_chinese_without_a_language_preference(staff_signed_in):
    page = text(staff_signed_in.get("/staff/"))

    assert "我的工作台" in page
    assert "政务办公平台" in page
    assert "My workbench" not in page


# (c) The English catalog has no gaps.


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr forms and flags.

    Enough of the format for catalogs written by makemessages; obsolete
    entries (#~) are skipped because gettext ignores them.
    """
    entries, current, field = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current is not None:
                entries.append(current)
            current, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = {"flags": set(), "msgid": "", "plural": None, "msgstr": {}}
        if line.startswith("#,"):
            current["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            field = ("plural", None)
            current["plural"] = _unquote(line[len("msgid_plural ") :])
        elif line.startswith("msgid "):
            field = ("msgid", None)
            current["msgid"] = _unquote(line[len("msgid ") :])
        elif line.startswith("msgstr["):
            index = int(line[len("msgstr[") : line.index("]")])
            field = ("msgstr", index)
            current["msgstr"][index] = _unquote(line[line.index("]") + 2 :])
        elif line.startswith("msgstr "):
            field = ("msgstr", 0)
            current["msgstr"][0] = _unquote(line[len("msgstr ") :])
        elif line.startswith('"') and field is not None:
            name, index = field
            if name == "msgstr":
                current["msgstr"][index] += _unquote(line)
            else:
                current[name] += _unquote(line)
        else:
            raise AssertionError(f"{path}: cannot read line {raw!r}")
    return entries


def test_po_parser_reads_plurals_continuations_and_flags(tmp_path):
    # Given a small catalog in the layout makemessages writes
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, python-format\nmsgid "共 %(n)s 项"\nmsgid_plural "共 %(n)s 项"\n'
        'msgstr[0] "%(n)s item"\nmsgstr[1] ""\n"%(n)s items"\n\n'
        '#, fuzzy\nmsgid "登录"\nmsgstr "Sign in"\n\n'
        '#~ msgid "旧"\n#~ msgstr ""\n',
        encoding="utf-8",
    )

    # When it is parsed
    header, plural, fuzzy = parse_po(sample)

    # Then continuation lines join, plural forms and flags are kept
    assert header["msgstr"] == {0: "Language: en\n"}
    assert plural["plural"] == "共 %(n)s 项"
    assert plural["msgstr"] == {0: "%(n)s item", 1: "%(n)s items"}
    assert plural["flags"] == {"python-format"}
    assert fuzzy["flags"] == {"fuzzy"}


def test_english_catalog_has_no_untranslated_or_fuzzy_entry():
    # Given the English catalog as committed
    entries = parse_po(PO_FILE)
    header = entries[0]
    messages = entries[1:]

    # Then its header is a real English header, not the makemessages template
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]

    # And every message has every form translated, none left fuzzy
    assert len(messages) > 1000
    fuzzy = [m["msgid"] for m in messages if "fuzzy" in m["flags"]]
    untranslated = [
        m["msgid"]
        for m in messages
        if not m["msgstr"]
        or any(not form.strip() for form in m["msgstr"].values())
        or (m["plural"] is not None and sorted(m["msgstr"]) != [0, 1])
    ]
    assert fuzzy == []
    assert untranslated == []
