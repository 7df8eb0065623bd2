"""The world's calendar: each event becomes a one-off job due at its own time.

When the job runs, the event is marked as happened and every system that listens to that kind
of event (e.g. STS-web shows a new REP teacher in Ressources) is told, in the same transaction.
"""

from __future__ import annotations

from .. import registry, timeline
from ..models import CalendarEvent, Job, World
from .jobs import job_create


def calendar_event_handle(job: Job) -> dict:
    event = CalendarEvent.objects.select_for_update().get(
        pk=job.params["event_id"], world=job.world
    )
    if event.happened_at is not None:
        return {"événement": event.label, "déjà survenu": True}
    event.happened_at = job.due_at
    event.save(update_fields=["happened_at"])
    listeners = registry.event_listeners(event.kind)
    for listener in listeners:
        listener(event)
    return {"événement": event.label, "systèmes prévenus": len(listeners)}


def calendar_jobs_schedule(*, world: World) -> int:
    """One job per event still to come (called when the world is created)."""
    count = 0
    for event in CalendarEvent.objects.filter(world=world, happened_at__isnull=True):
        job_create(
            world=world,
            kind=timeline.CALENDAR_EVENT,
            due_at=event.at,
            dedup_key=f"calendar:{event.pk}",
            params={"event_id": event.pk},
        )
        count += 1
    return count


registry.register_job_kind(
    registry.JobKind(
        kind=timeline.CALENDAR_EVENT,
        system="entsim",
        label="Événement du calendrier académique",
        handler=calendar_event_handle,
    )
)
