from django.urls import path

from entsim.views import system_landing

app_name = "edt"

urlpatterns = [
    path("", system_landing("edt"), name="landing"),
]
