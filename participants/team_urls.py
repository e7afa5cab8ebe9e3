from django.urls import path

from participants.views import team as team_views

app_name = "team"

urlpatterns = [
    path("", team_views.team, name="list"),
    path("<int:pk>/active/", team_views.set_active, name="set_active"),
    path("<int:pk>/two-factor/reset/", team_views.reset_second_factor, name="reset_second_factor"),
    path(
        "<int:pk>/sign-in-delay/clear/",
        team_views.clear_signin_delay,
        name="clear_signin_delay",
    ),
]
