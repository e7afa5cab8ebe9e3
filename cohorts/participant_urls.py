from django.urls import path

from cohorts.views import participant

app_name = "cohorts"

# The pages participants and visitors see of a program's cohorts (under /programs/).
urlpatterns = [
    path("", participant.cohort_list, name="cohort_list"),
    path("<int:pk>/", participant.cohort_detail, name="cohort_detail"),
    path("<int:pk>/join/", participant.cohort_join, name="cohort_join"),
    path("<int:pk>/leave/", participant.cohort_leave, name="cohort_leave"),
    # The participant's own place in the cohort's line: no entry id in the address.
    path("<int:pk>/waitlist/", participant.waitlist_join, name="waitlist_join"),
    path("<int:pk>/waitlist/leave/", participant.waitlist_leave, name="waitlist_leave"),
    path("<int:pk>/waitlist/accept/", participant.waitlist_accept, name="waitlist_accept"),
    path("<int:pk>/waitlist/decline/", participant.waitlist_decline, name="waitlist_decline"),
    path("<int:pk>/calendar.ics", participant.cohort_ics, name="cohort_ics"),
]
