from django.urls import path

from entsim.views import system_landing

app_name = "aaf"

urlpatterns = [
    path("", system_landing("aaf"), name="landing"),
]
