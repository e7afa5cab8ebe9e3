from django.urls import path

from sessions_app.views import public, sms, staff

app_name = "sessions_app"

urlpatterns = [
    path("sessions/", public.session_list, name="session_list"),
    path("staff/", staff.dashboard, name="staff_dashboard"),
    path("sms/inbound/", sms.inbound, name="sms_inbound"),
]
