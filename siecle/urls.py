from django.urls import path

from entsim.views import system_landing

app_name = "siecle"

urlpatterns = [
    path("", system_landing("siecle"), name="landing"),
]
