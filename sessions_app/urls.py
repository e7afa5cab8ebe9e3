from django.urls import path

from sessions_app.views import participant, public, roster, staff, staff_sessions

app_name = "sessions_app"

urlpatterns = [
    path("sessions/", public.session_list, name="session_list"),
    path("sessions/<int:pk>/", public.session_detail, name="session_detail"),
    path("sessions/<int:pk>/enroll/", participant.enroll, name="session_enroll"),
    path("sessions/<int:pk>/waitlist/", participant.waitlist_join, name="waitlist_join"),
    path("me/sessions/", participant.my_sessions, name="my_sessions"),
    path("me/sessions/offers/<int:pk>/accept/", participant.offer_accept, name="offer_accept"),
    path("me/sessions/waitlist/<int:pk>/leave/", participant.offer_decline, name="waitlist_leave"),
    path("me/sessions/<int:pk>/cancel/", participant.enrollment_cancel, name="enrollment_cancel"),
    path("me/sessions/<int:pk>/calendar.ics", participant.enrollment_ics, name="enrollment_ics"),
    path(
        "me/sessions/calendar/new/",
        participant.calendar_regenerate,
        name="calendar_regenerate",
    ),
    path("calendar/<str:token>.ics", participant.calendar_feed, name="calendar_feed"),
    # The staff calendar is the staff home page.
    path("staff/", staff.dashboard, name="staff_dashboard"),
    path("staff/sessions/", staff.session_list, name="staff_session_list"),
    path("staff/sessions/new/", staff_sessions.session_create, name="staff_session_create"),
    path("staff/sessions/series/", staff_sessions.series_create, name="staff_series_create"),
    path("staff/sessions/<int:pk>/", roster.roster, name="staff_session_roster"),
    path("staff/sessions/<int:pk>/edit/", staff_sessions.session_edit, name="staff_session_edit"),
    path(
        "staff/sessions/<int:pk>/publish/",
        staff_sessions.session_publish,
        name="staff_session_publish",
    ),
    path(
        "staff/sessions/<int:pk>/cancel/",
        staff_sessions.session_cancel,
        name="staff_session_cancel",
    ),
    path(
        "staff/sessions/<int:pk>/reschedule/",
        staff_sessions.session_reschedule,
        name="staff_session_reschedule",
    ),
    path(
        "staff/sessions/<int:pk>/duplicate/",
        staff_sessions.session_duplicate,
        name="staff_session_duplicate",
    ),
    path("staff/sessions/<int:pk>/enroll/", roster.staff_enroll, name="staff_enroll"),
    path(
        "staff/sessions/<int:pk>/seats/cancel/",
        roster.staff_cancel,
        name="staff_enrollment_cancel",
    ),
    path(
        "staff/sessions/<int:pk>/seats/move/",
        roster.staff_move,
        name="staff_enrollment_move",
    ),
    path(
        "staff/sessions/<int:pk>/attendance/",
        roster.attendance,
        name="staff_session_attendance",
    ),
    path(
        "staff/sessions/<int:pk>/sign-in-sheet/",
        roster.sign_in_sheet,
        name="staff_session_sign_in_sheet",
    ),
]
