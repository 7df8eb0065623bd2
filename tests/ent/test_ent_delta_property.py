"""Delta(N-1 → N) applied to the ENT fed with Complet(N-1) gives the ENT fed with Complet(N)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ent.models import Account, Membership, ParentLink, Structure
from entsim.formats import aaf
from entsim.models import Exchange
from tests.ent.ent_aafkit import etab, feed, pupil, relative, teacher

pytestmark = pytest.mark.django_db

CLASSES = ["3A", "3B", "3C"]
GROUPS = ["3ESP1", "3ALL1", "LATIN"]
NAMES = ["MARTIN", "DURAND", "N'GUYEN", "LEFÈVRE"]
FIRST = ["Zoé", "Léo", "Jean Pierre"]
_worlds = itertools.count(1)


@st.composite
def directories(draw) -> list[aaf.AddRequest]:
    """A directory state as one night's Complet holds it."""
    requests: list[aaf.AddRequest] = [
        etab(
            classes=[(c, f"CLASSE {c}") for c in draw(st.sets(st.sampled_from(CLASSES)))],
            groups=[(g, f"GROUPE {g}") for g in draw(st.sets(st.sampled_from(GROUPS)))],
        )
    ]
    parents = draw(st.sets(st.sampled_from(["501", "502", "503", "504"])))
    for ident in sorted(draw(st.sets(st.sampled_from([str(n) for n in range(101, 109)])))):
        requests.append(
            pupil(
                ident,
                draw(st.sampled_from(NAMES)),
                draw(st.sampled_from(FIRST)),
                classes=[draw(st.sampled_from(CLASSES))],
                groups=sorted(draw(st.sets(st.sampled_from(GROUPS), max_size=2))),
                relatives=sorted(
                    draw(
                        st.dictionaries(
                            st.sampled_from(["501", "502", "503", "504"]),
                            st.sampled_from(["1", "2"]),
                            max_size=2,
                        )
                    ).items()
                ),
            )
        )
    for ident in sorted(parents):
        requests.append(relative(ident, draw(st.sampled_from(NAMES)), draw(st.sampled_from(FIRST))))
    for ident in sorted(draw(st.sets(st.sampled_from(["701", "702", "703"])))):
        requests.append(
            teacher(
                ident,
                draw(st.sampled_from(NAMES)),
                draw(st.sampled_from(FIRST)),
                classes=[(c, "030602") for c in sorted(draw(st.sets(st.sampled_from(CLASSES))))],
                groups=[(g, "030602") for g in sorted(draw(st.sets(st.sampled_from(GROUPS))))],
                filiere=draw(st.sampled_from(["ENS", "DIR"])),
            )
        )
    return requests


def snapshot(world) -> dict:
    """What the ENT holds, without what depends on its history (logins, codes, dates, and the
    accounts closed along the way)."""
    present = {
        a.jointure: (
            a.category,
            a.profile,
            a.state == Account.State.ACTIF,
            a.last_name,
            a.first_name,
            a.structure.jointure if a.structure else None,
            tuple(sorted((k, tuple(v)) for k, v in a.attributes.items())),
        )
        for a in Account.objects.filter(world=world, present=True).select_related("structure")
    }
    active = set(
        Account.objects.filter(world=world, state=Account.State.ACTIF).values_list(
            "jointure", flat=True
        )
    )
    memberships = {
        (m.account.jointure, m.cohort.kind, m.cohort.code, m.role, tuple(m.subjects), m.principal)
        for m in Membership.objects.filter(world=world).select_related("account", "cohort")
    }
    links = set(
        ParentLink.objects.filter(world=world).values_list(
            "pupil__jointure", "parent_jointure", "legal", "relationship"
        )
    )
    structures = {
        (s.jointure, s.uai, s.name, s.present)
        for s in Structure.objects.filter(world=world, present=True)
    }
    declared = {
        (c.kind, c.code, c.label)
        for s in Structure.objects.filter(world=world)
        for c in s.cohorts.filter(declared=True)
    }
    return {
        "present": present,
        "active": active,
        "memberships": memberships,
        "links": links,
        "structures": structures,
        "declared": declared,
    }


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(directories(), directories())
def test_delta_on_previous_night_equals_complet_of_the_night(make_world, previous, current):
    number = next(_worlds)
    incremental = make_world(f"Delta {number}")
    fresh = make_world(f"Complet {number}")
    night_1, night_2 = dt.date(2027, 6, 14), dt.date(2027, 6, 15)
    assert feed(incremental, previous, day=night_1).state == Exchange.State.PROCESSED
    changes = list(aaf.delta(previous, current))
    delta = feed(incremental, changes, kind=aaf.DELTA, day=night_2)
    assert delta.state == Exchange.State.PROCESSED, delta.report
    assert feed(fresh, current, day=night_2).state == Exchange.State.PROCESSED
    assert snapshot(incremental) == snapshot(fresh)
