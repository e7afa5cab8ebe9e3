"""Django's ``makemessages`` without gettext's fuzzy matching.

By default ``msgmerge`` gives a new string the translation of the most similar old one and marks
it fuzzy: a guess that reads as a translation (a new "Load the translation" arrived as "cancelación
tardía"). Here a new string arrives empty, and the catalogue test names it until it is translated.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
