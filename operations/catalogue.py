"""The Spanish catalogue in pure Python: what the code marks for translation, and the compiled file.

``make messages`` (GNU gettext's ``makemessages``) writes ``locale/<lang>/LC_MESSAGES/django.po``
for translators; nothing else here needs gettext's tools. ``extract`` reads the same strings with
Babel and Django's own template lexer, so a test can say which marked string has no translation on
any machine, and ``compile_catalogue`` writes the ``.mo`` Django loads (committed, and checked to
match the ``.po`` in CI): ``make run`` still needs only Python.
"""

import io
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation.template import templatize

# The gettext keywords Django's makemessages gives xgettext, with where their strings sit.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
# What is not the product: tests, the bench, tooling, and what pip and npm install.
SKIPPED_DIRS = {".venv", "tests", "bench", "node_modules", "deploy", "docs", "locale", "static"}


def catalogue_path(language: str = "es") -> Path:
    return Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"


def _source_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in relative.parts[:-1]):
            continue
        if path.suffix in (".py", ".html", ".txt") and path.is_file():
            if path.suffix != ".py" and "templates" not in relative.parts:
                continue
            yield path


def _messages_in(source: str) -> Iterator[tuple[str | None, str | tuple]]:
    options = {"encoding": "utf-8"}
    for _lineno, funcname, message, _comments in extract_python(
        io.BytesIO(source.encode("utf-8")), KEYWORDS.keys(), [], options
    ):
        spec = KEYWORDS[funcname]
        strings = message if isinstance(message, tuple) else (message,)
        if spec is None:
            context, ids = None, strings[:1]
        elif spec == (1, 2):
            context, ids = None, strings[:2]
        else:
            context, ids = strings[0], strings[1:]
        if not ids or not all(isinstance(text, str) for text in ids):
            continue  # a variable, not a literal: nothing to translate here
        yield context, (ids[0] if len(ids) == 1 else tuple(ids))


def extract(root: Path | None = None) -> set[tuple[str | None, str]]:
    """Every (context, msgid) the product marks for translation, code and templates alike."""
    root = Path(root or settings.BASE_DIR)
    found: set[tuple[str | None, str]] = set()
    for path in _source_files(root):
        text = path.read_text(encoding="utf-8")
        if path.suffix != ".py":
            if "{%" not in text or "trans" not in text:
                continue
            # templatize writes Python-ish lines for xgettext; tokenize wants them unindented.
            text = "\n".join(
                line.lstrip() for line in templatize(text, origin=str(path)).split("\n")
            )
        for context, message in _messages_in(text):
            msgid = message[0] if isinstance(message, tuple) else message
            found.add((context, msgid))
    return found


def read_catalogue(language: str = "es") -> Catalog:
    with catalogue_path(language).open("rb") as po_file:
        return read_po(po_file, locale=language)


def compile_catalogue(language: str = "es") -> bytes:
    """The ``.mo`` bytes of the language's ``.po`` (fuzzy entries are never compiled)."""
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(language), use_fuzzy=False)
    return buffer.getvalue()
