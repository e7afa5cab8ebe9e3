from django.contrib import admin
from django.urls import include, path

from journease import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("outbox.urls")),
    path("", include("participants.urls")),
    path("staff/team/", include("participants.team_urls")),
    path("", include("sessions_app.urls")),
    path("", include("dosing.urls")),
    path("staff/cohorts/", include("cohorts.staff_urls")),
    path("programs/", include("cohorts.participant_urls")),
    path("", include("followup.urls")),
    path("", include("operations.urls")),
    path("admin/", admin.site.urls),
]

# A bad address or query (a NUL byte, a date no page can show) is a 400 page with the site's own
# layout: Django's default renders the template without the request.
handler400 = "journease.views.bad_request"
