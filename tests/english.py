"""Finding English left in a page or message meant to be Spanish.

A word list, not a language model: common English words that are never Spanish words (so
"no", "a", "me" and "con" are not in it). Links, e-mail addresses and the clinic's own names are
removed first. Used by the Spanish message tests and the Spanish browser journey.
"""

import re

_WORDS = """
    the your you and with please session sessions booking book booked sign here this that these
    will would from have has are were for what when where which who before after about our not
    can cannot more need needs time today tomorrow week weeks group details cancel cancelled
    waitlist back next save help start starts started end ends been being they them their there
    only any every each other into over under again also just some than then very how why
    should must may might could thank thanks welcome hello dear reply text texts call email
    e-mail link open opens closed program programs check check-in questions question answer
    answers submit continue account password sessions day days month year yes
"""
ENGLISH_ONLY = frozenset(_WORDS.split())
_LINK = re.compile(r"(https?://\S+|\S+@\S+|/[\w/.-]+/)")
_WORD = re.compile(r"[A-Za-zÀ-ÿ'-]+")


def english_words(text: str, *, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The English-only words in ``text`` (lower case, in order), ignoring links and ``allowed``."""
    text = _LINK.sub(" ", text)
    words = (word.strip("'-").lower() for word in _WORD.findall(text))
    return [word for word in words if word in ENGLISH_ONLY and word not in allowed]
