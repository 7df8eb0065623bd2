"""The trainer's clock controls (T1): pause, go to a date (forward only), run at a speed, and
the progress bar of a running night job on the jobs page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from entsim import timeline
from entsim.models import Job
from entsim.services.jobs import job_create, job_progress_report
from tests.conftest import START

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainee(client, make_world, make_member):
    world = make_world()
    client.force_login(make_member(world, role="stagiaire"))
    return world


def clock_url(world) -> str:
    return reverse("world_clock", args=[world.slug])


def test_the_bar_offers_every_control(client, trainee):
    page = client.get(reverse("world_home", args=[trainee.slug])).content.decode()
    for label in ("Passer la nuit", "+24 h", "Aller au", "Lecture", "×60 — 1 h simulée par minute"):
        assert label in page
    assert "Pause" not in page  # only while the clock runs
    assert 'value="2027-06-14T08:00"' in page  # the date field starts at the world's now


def test_play_at_a_chosen_speed_then_pause(client, trainee, monkeypatch):
    real = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: real)
    bar = client.post(
        clock_url(trainee), {"action": "lecture", "speed": "60"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    trainee.refresh_from_db()
    assert trainee.speed == 60
    assert "Horloge en marche ×60 — 1 h simulée par minute" in bar and "Pause" in bar
    # ×60: one simulated hour per real minute
    monkeypatch.setattr(timezone, "now", lambda: real + dt.timedelta(minutes=2))
    assert trainee.now() == START + dt.timedelta(hours=2)
    bar = client.post(clock_url(trainee), {"action": "pause"}, HTTP_HX_REQUEST="true")
    trainee.refresh_from_db()
    assert trainee.speed == 0 and "Horloge arrêtée" in bar.content.decode()
    # paused: the clock keeps its simulated time, whatever the real time does
    monkeypatch.setattr(timezone, "now", lambda: real + dt.timedelta(hours=5))
    assert trainee.now() == START + dt.timedelta(hours=2)


def test_speed_outside_the_choices_is_refused_in_french(client, trainee):
    answer = client.post(clock_url(trainee), {"action": "lecture", "speed": "999999"}, follow=True)
    assert "Sélectionnez un choix valide" in answer.content.decode()
    trainee.refresh_from_db()
    assert trainee.speed == 0 and trainee.now() == START


def test_go_to_a_date_forward_only(client, trainee):
    client.post(clock_url(trainee), {"action": "aller", "date": "2027-08-31T20:30"})
    trainee.refresh_from_db()
    assert timeline.local(trainee.now()) == dt.datetime(2027, 8, 31, 20, 30, tzinfo=timeline.PARIS)
    bar = client.post(
        clock_url(trainee), {"action": "aller", "date": "2027-07-01T08:00"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert (
        "Impossible de revenir en arrière : l&#x27;horloge du monde est au 31/08/2027 20:30" in bar
    )
    trainee.refresh_from_db()
    assert timeline.local(trainee.now()) == dt.datetime(2027, 8, 31, 20, 30, tzinfo=timeline.PARIS)


def test_go_to_while_running_keeps_running(client, trainee):
    client.post(clock_url(trainee), {"action": "lecture", "speed": "1440"})
    client.post(clock_url(trainee), {"action": "aller", "date": "2027-09-01T08:00"})
    trainee.refresh_from_db()
    assert trainee.speed == 1440
    assert trainee.now() >= dt.datetime(2027, 9, 1, 8, 0, tzinfo=timeline.PARIS)


def test_help_desk_sees_no_control_and_cannot_play(client, make_world, make_member):
    world = make_world()
    client.force_login(make_member(world, role="assistance"))
    page = client.get(reverse("world_home", args=[world.slug])).content.decode()
    assert "Lecture" not in page and "Aller au" not in page
    assert client.post(clock_url(world), {"action": "lecture", "speed": "60"}).status_code == 404
    world.refresh_from_db()
    assert world.speed == 0


def test_running_job_row_polls_its_progress_until_done(client, trainee):
    job = job_create(world=trainee, kind="aaf.extraction", due_at=START, dedup_key="progress")
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, dispatched_at=timezone.now())
    job.refresh_from_db()
    job_progress_report(job=job, done=30, total=120)
    jobs_url = reverse("world_jobs", args=[trainee.slug])
    page = client.get(jobs_url).content.decode()
    assert f'hx-get="{jobs_url}?tache={job.pk}"' in page and 'hx-trigger="every 2s"' in page
    assert 'value="25"' in page
    row = client.get(jobs_url, {"tache": job.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert row.lstrip().startswith(f'<tr id="tache-{job.pk}"') and "<html" not in row
    assert 'value="25"' in row
    Job.objects.filter(pk=job.pk).update(state=Job.State.DONE, progress=100)
    row = client.get(jobs_url, {"tache": job.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in row and "<progress" not in row  # done: polling stops
    assert "Terminé" in row


def test_job_row_of_another_world_is_404(client, trainee, make_world):
    other = make_world("Monde B", uai="0130002F")
    job = job_create(world=other, kind="aaf.extraction", due_at=START, dedup_key="other")
    url = reverse("world_jobs", args=[trainee.slug])
    assert client.get(url, {"tache": job.pk}, HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(url, {"tache": "x"}, HTTP_HX_REQUEST="true").status_code == 404
