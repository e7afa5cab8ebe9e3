from django.urls import path

from cohorts.views import staff

app_name = "cohorts_staff"

# The staff's pages of cohorts (under /staff/cohorts/).
urlpatterns = [
    path("", staff.cohort_list, name="cohort_list"),
    path("new/", staff.cohort_create, name="cohort_create"),
    path("<int:pk>/", staff.cohort_detail, name="cohort_detail"),
    path("<int:pk>/publish/", staff.cohort_publish, name="cohort_publish"),
    path("<int:pk>/size/", staff.cohort_group_size, name="group_size"),
    path(
        "<int:pk>/members/<int:member_pk>/remove/",
        staff.member_remove,
        name="member_remove",
    ),
    path(
        "<int:pk>/members/<int:member_pk>/seats/<int:seat_pk>/cancel/",
        staff.seat_cancel,
        name="seat_cancel",
    ),
]
