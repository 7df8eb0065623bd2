"""The real AAF samples (Open ENT NG's test data): read by our reader, imported by our ENT."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from ent import selectors
from ent.models import Account, Structure
from entsim.formats import aaf
from entsim.models import Exchange
from entsim.services.exchanges import exchange_record
from entsim.timeline import PARIS
from tests.ent.ent_aafkit import run_import

pytestmark = pytest.mark.django_db


def sample_run(reference_dir, moment: str) -> tuple[str, bytes]:
    """A zip of the sample files of `moment` (before / after) with the reference DTD, built
    here from the reference folder (never copied into the project)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((reference_dir / "samples" / "aaf" / moment).glob("*.xml")):
            archive.writestr(path.name, path.read_bytes())
        archive.writestr(aaf.DTD_NAME, (reference_dir / "specs" / "ficAlimMENESR.dtd").read_bytes())
    return f"ENT2DVA-ENT16_Complet_20240916_{moment}.zip", buffer.getvalue()


def deposit(world, name: str, content: bytes, day: int) -> Exchange:
    return exchange_record(
        world=world,
        kind="aaf_complet",
        source="aaf",
        target="ent",
        filename=name,
        content=content,
        deposited_at=dt.datetime(2027, 6, day, 20, 30, tzinfo=PARIS),
        state=Exchange.State.PENDING,
    )


def test_before_then_after_changes_a_function_and_adds_a_person(make_world, reference_dir):
    world = make_world()
    before = deposit(world, *sample_run(reference_dir, "before"), day=14)
    run_import(world)
    before.refresh_from_db()
    assert before.state == Exchange.State.PROCESSED, before.report
    assert before.report["crees"] == 2 and before.report["structures"] == {"creees": 1}
    structure = Structure.objects.get(world=world)
    assert (structure.jointure, structure.uai, structure.name) == (
        "43",
        "0123456A",
        "CLG INTEGRATION",
    )
    first = selectors.account_by_jointure(world=world, jointure="314159")
    assert first.profile == Account.Profile.PERSONNEL
    assert first.function_labels == [
        "DIRECTION — CHEF D'ETABLISSEMENT ADJOINT",
        "ACCOMPAGNEMENT — ACCOMPAGNEMENT ELEVES SITUATION HANDICAP",
    ]
    second = selectors.account_by_jointure(world=world, jointure="314160")
    assert second.profile == Account.Profile.ENSEIGNANT
    assert second.login == "prenom-bbbb.bbbb" and second.structure == structure
    assert selectors.account_by_jointure(world=world, jointure="314161") is None

    after = deposit(world, *sample_run(reference_dir, "after"), day=15)
    run_import(world)
    after.refresh_from_db()
    assert after.state == Exchange.State.PROCESSED, after.report
    assert (after.report["crees"], after.report["modifies"], after.report["inchanges"]) == (1, 1, 1)
    first.refresh_from_db()
    assert first.function_labels == [
        "PRESTATIONS — ENTRETIEN",
        "ACCOMPAGNEMENT — ACCOMPAGNEMENT ELEVES SITUATION HANDICAP",
    ]
    assert first.login == "prenom-aaaa.aaaa" and first.is_active
    added = selectors.account_by_jointure(world=world, jointure="314161")
    assert added.is_active and added.login == "prenom-cccc.cccc"
    assert added.profile == Account.Profile.PERSONNEL
    assert len(added.activation_code) == 8
    # The after run holds no EtabEducNat file: the structure stays.
    structure.refresh_from_db()
    assert structure.present
