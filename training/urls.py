"""Trainer pages outside any world: sessions, logins sheet, dashboard."""

from django.urls import path

app_name = "training"

urlpatterns: list = []
