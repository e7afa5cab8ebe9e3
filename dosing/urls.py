from django.urls import path

from dosing.views import corrections, entries, room, seat

app_name = "dosing"

ROOM = "staff/sessions/<int:pk>/dosing/"
SEAT = ROOM + "seats/<int:enrollment_pk>/"

urlpatterns = [
    path(ROOM, room.room, name="room"),
    path(ROOM + "state.json", room.room_state, name="room_state"),
    path(ROOM + "monitor/", room.monitor_confirm, name="monitor_confirm"),
    path(ROOM + "summary/", room.summary, name="summary"),
    path(SEAT, seat.seat, name="seat"),
    path(SEAT + "print/", seat.seat_print, name="seat_print"),
    path(SEAT + "arrival/", entries.arrival, name="arrival"),
    path(SEAT + "recheck/", entries.recheck, name="recheck"),
    path(SEAT + "override/", entries.override, name="override"),
    path(SEAT + "not-dosed/", entries.not_dosed, name="not_dosed"),
    path(SEAT + "dose/", entries.dose, name="dose"),
    path(SEAT + "vitals/", entries.vitals, name="vitals"),
    path(SEAT + "events/", entries.event, name="event"),
    path(SEAT + "events/<int:event_pk>/resolve/", entries.event_resolve, name="event_resolve"),
    path(SEAT + "discharge/", entries.discharge, name="discharge"),
    path(
        SEAT + "entries/<slug:kind>/<int:entry_pk>/correct/",
        corrections.correct,
        name="correct",
    ),
]
