app_name = "cohorts"

# The pages participants and visitors see of a program's cohorts (under /programs/).
urlpatterns: list = []
