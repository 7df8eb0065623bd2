from django.urls import path

from entsim.views import system_landing

app_name = "ent"

urlpatterns = [
    path("", system_landing("ent"), name="landing"),
]
