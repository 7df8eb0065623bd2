"""T7 The pipeline page: one arrow per registered exchange kind, coloured by its last file."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from entsim import registry
from entsim.models import Exchange
from entsim.services.exchanges import exchange_record
from helpdesk.pipeline import COLOURS, NONE, pipeline_compute

pytestmark = pytest.mark.django_db


def record(world, kind: str, state: str, hours: int, name: str = "") -> Exchange:
    spec = registry.exchange_kind(kind)
    return exchange_record(
        world=world,
        kind=kind,
        source=spec.source,
        target=spec.target,
        filename=name or f"{kind}_{hours}.xml",
        content=b"<x/>",
        deposited_at=world.now() + dt.timedelta(hours=hours),
        state=state,
    )


@pytest.fixture
def world(make_world):
    world = make_world()
    record(world, "sts_structure", Exchange.State.REJECTED, 1, "ancien.xml")
    record(world, "sts_structure", Exchange.State.PROCESSED, 2, "structure.xml")  # the last one
    record(world, "elegroupe", Exchange.State.PENDING, 3)
    record(world, "emp_sts", Exchange.State.DEPOSITED, 4)
    record(world, "aaf_delta", Exchange.State.REJECTED, 5)
    return world


def test_each_registered_kind_is_an_arrow_coloured_by_its_last_file(world):
    pipeline = pipeline_compute(world=world)
    arrows = {arrow.kind: arrow for arrow in pipeline.arrows}
    kinds = registry.exchange_kinds()
    assert set(kinds) <= set(arrows)
    for kind, spec in kinds.items():
        assert (arrows[kind].source, arrows[kind].target) == (spec.source, spec.target)
    assert arrows["sts_structure"].state == Exchange.State.PROCESSED
    assert arrows["sts_structure"].filename == "structure.xml"
    assert arrows["sts_structure"].when == "14/06/2027 à 10:00"
    assert arrows["elegroupe"].colour == COLOURS[Exchange.State.PENDING]
    assert arrows["emp_sts"].colour == COLOURS[Exchange.State.DEPOSITED]
    assert arrows["aaf_delta"].colour == COLOURS[Exchange.State.REJECTED]
    assert arrows["sts_services"].state == NONE and arrows["sts_services"].dashed
    # No extraction yet: the AAF's reading of the bases is grey too.
    assert arrows["extraction-siecle"].state == NONE
    systems = {box.system for box in pipeline.boxes}
    assert {"sts", "edt", "siecle", "aaf", "ent"} <= systems
    # Every arrow starts and ends outside the boxes.
    for arrow in pipeline.arrows:
        for x, y in ((arrow.x1, arrow.y1), (arrow.x2, arrow.y2)):
            for box in pipeline.boxes:
                inside = box.x < x < box.x + box.w and box.y < y < box.y + box.h
                assert not inside, (arrow.kind, box.system)


def test_page_draws_the_svg_and_the_same_data_as_a_table(world, client, make_member):
    path = reverse("helpdesk:pipeline", args=[world.slug])
    client.force_login(make_member(world))
    page = client.get(path).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    # Coordinates with a decimal point: the French locale's comma would break the drawing.
    coordinates = re.findall(r' (?:x|y|x1|y1|x2|y2|cx|cy|width|height)="([^"]*)"', svg)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?(%)?", c) for c in coordinates), [
        c for c in coordinates if "," in c
    ]
    arrow = re.search(
        r'<g class="fleche" data-type="sts_structure" data-etat="processed">.*?</g>', svg, re.S
    )
    assert arrow and f'stroke="{COLOURS[Exchange.State.PROCESSED]}"' in arrow.group(0)
    arrow = re.search(
        r'<g class="fleche" data-type="aaf_delta" data-etat="rejected">.*?</g>', svg, re.S
    )
    assert arrow and f'stroke="{COLOURS[Exchange.State.REJECTED]}"' in arrow.group(0)
    for label in ("Déposé", "En attente", "Traité", "Rejeté", "Aucun fichier pour l&#x27;instant"):
        assert label in svg, label
    table = page[page.index("</svg>") :]
    row = re.search(r'<tr data-type="sts_structure">(.*?)</tr>', table, re.S).group(1)
    assert "Traité" in row and "structure.xml" in row and "14/06/2027 à 10:00" in row
    row = re.search(r'<tr data-type="elegroupe">(.*?)</tr>', table, re.S).group(1)
    assert "En attente" in row
    assert table.count("<tr data-type=") == svg.count('<g class="fleche"')


def test_page_is_404_for_a_non_member(world, client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="x", password="x-x-x-x-x"))
    assert client.get(reverse("helpdesk:pipeline", args=[world.slug])).status_code == 404
