"""What the sessions app tells the apps above it, without knowing them.

``attendance_recorded`` is sent inside the attendance transaction, once per seat whose status
changed, with ``enrollment`` (its ``session`` loaded) and ``now``. A receiver that writes rows
(the follow-up's check-ins and their prompts) writes them in the same transaction.
"""

from django.dispatch import Signal

attendance_recorded = Signal()
