app_name = "cohorts_staff"

# The staff's pages of cohorts (under /staff/cohorts/).
urlpatterns: list = []
