from .exchanges import Exchange
from .jobs import Job
from .truth import (
    Address,
    CalendarEvent,
    Division,
    Establishment,
    Pupil,
    PupilResponsable,
    Responsable,
    Schooling,
    Service,
    Staff,
    TeachingGroup,
)
from .world import Role, World, WorldMember

__all__ = [
    "Address",
    "CalendarEvent",
    "Division",
    "Establishment",
    "Exchange",
    "Job",
    "Pupil",
    "PupilResponsable",
    "Responsable",
    "Role",
    "Schooling",
    "Service",
    "Staff",
    "TeachingGroup",
    "World",
    "WorldMember",
]
