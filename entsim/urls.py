from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

world_patterns = [
    path("", views.world_home, name="world_home"),
    path("horloge/", views.world_clock, name="world_clock"),
    path("taches/", views.world_jobs, name="world_jobs"),
    path("echanges/", views.world_exchanges, name="world_exchanges"),
    path("echanges/<int:pk>/telecharger/", views.exchange_download, name="exchange_download"),
    path("sts/", include("sts.urls")),
    path("edt/", include("edt.urls")),
    path("siecle/", include("siecle.urls")),
    path("aaf/", include("aaf.urls")),
    path("ent/", include("ent.urls")),
    path("formation/", include("training.world_urls")),
    path("assistance/", include("helpdesk.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("sante/", views.health, name="health"),
    path("mondes/<slug:world_slug>/", include(world_patterns)),
    path("formation/", include("training.urls")),
    path("admin/", admin.site.urls),
]
