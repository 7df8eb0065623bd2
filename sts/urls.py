from django.urls import path

from entsim.views import system_landing

app_name = "sts"

urlpatterns = [
    path("", system_landing("sts"), name="landing"),
]
