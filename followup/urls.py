from django.urls import path

from followup.views import checkins, cohort_outcomes, outcomes

app_name = "followup"

urlpatterns = [
    path("me/progress/", checkins.progress, name="progress"),
    path("me/check-ins/<uuid:public_id>/", checkins.checkin, name="checkin"),
    path(
        "staff/participants/<int:pk>/timeline/",
        outcomes.participant_timeline,
        name="participant_timeline",
    ),
    path("staff/outcomes/", outcomes.outcomes_report, name="outcomes"),
    path("staff/outcomes.csv", outcomes.outcomes_csv, name="outcomes_csv"),
    # Under the cohorts' staff pages (/staff/cohorts/), which this app sits above.
    path(
        "staff/cohorts/<int:pk>/outcomes/",
        cohort_outcomes.cohort_outcomes_page,
        name="cohort_outcomes",
    ),
    path(
        "staff/cohorts/<int:pk>/outcomes.csv",
        cohort_outcomes.cohort_outcomes_csv,
        name="cohort_outcomes_csv",
    ),
]
