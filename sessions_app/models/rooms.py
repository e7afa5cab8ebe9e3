"""Rooms: where groups meet, each with its own maximum capacity."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sessions_app.models.session_types import SPANISH_HELP


class Room(models.Model):
    """A place where a group meets, with its own maximum capacity. Its name is a proper name
    (never translated); its directions and accessibility notes have Spanish companions."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    location = models.CharField(_("address"), max_length=255, blank=True)
    capacity = models.PositiveIntegerField(_("maximum capacity"))
    directions = models.TextField(
        _("directions and parking"),
        blank=True,
        help_text=_("Sent in the reminder two hours before a session."),
    )
    directions_es = models.TextField(
        _("directions and parking in Spanish"), blank=True, help_text=SPANISH_HELP
    )
    accessibility_notes = models.TextField(_("accessibility"), blank=True)
    accessibility_notes_es = models.TextField(
        _("accessibility in Spanish"), blank=True, help_text=SPANISH_HELP
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name
