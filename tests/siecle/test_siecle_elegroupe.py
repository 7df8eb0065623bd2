"""ELEGROUPE: deposit by day (checks 1-5), import at night (annule et remplace, rejects, counts)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from entsim.formats import elegroupe as fmt
from entsim.formats.safe import ZipMember, write_zip
from entsim.models import Exchange
from entsim.registry import ExchangeRefused
from entsim.services.exchanges import exchange_deposit, exchange_export
from siecle import elegroupe
from siecle.models import EleveGroupe, Exportation, Scolarite, Structure
from tests.siecle.siecle_world import advance, at, college

pytestmark = pytest.mark.django_db

GROUPES = ("G_ESP", "G_LAT", "G_ALL")


@pytest.fixture
def world():
    world = college()
    uai, annee = world.home.uai, world.school_year()
    for code in GROUPES:
        Structure.objects.create(world=world, uai=uai, annee=annee, type="G", code=code)
    return world


def exported(world):
    Exportation.objects.create(
        world=world,
        uai=world.home.uai,
        annee=world.school_year(),
        nature="eleves_sans_adresses",
        libelle="ElevesSansAdresses",
        le=world.now(),
    )


def pupils(world, n):
    return list(
        Scolarite.objects.filter(world=world, uai=world.home.uai, annee=world.school_year())
        .select_related("eleve")
        .order_by("eleve__eleve_id")[:n]
    )


def entry(scolarite, codes, *, by="id"):
    eleve = scolarite.eleve
    return fmt.Eleve(
        eleve_id=eleve.eleve_id if by == "id" else None,
        id_national=eleve.ine if by == "ine" else None,
        id_prv_ele=4242 if by == "prv" else None,
        nom_de_famille=eleve.nom,
        prenom=eleve.prenom,
        date_naiss=eleve.date_naissance,
        groupes=tuple(fmt.Groupe(code_groupe=code) for code in codes),
    )


def document(world, eleves, uai=None):
    return fmt.ImportEleves(
        version=fmt.VERSION,
        parametres=fmt.Parametres(
            uaj=uai or world.home.uai,
            annee_scolaire=world.school_year(),
            date_import=world.now().date(),
            num_envoi=1,
            logiciel="EDT",
        ),
        donnees=fmt.Donnees(eleves=tuple(eleves)),
    )


def zipped(world, eleves, *, stamp=dt.datetime(2027, 6, 14, 9, 0, 0)):
    return fmt.write_zip_file(document(world, eleves), stamp)


def deposit(world, name, content):
    return exchange_deposit(world=world, kind="elegroupe", filename=name, content=content)


def night(world, exchange=None):
    report = elegroupe.elegroupe_night(world=world, now=world.now() + dt.timedelta(hours=17))
    if exchange is not None:
        exchange.refresh_from_db()
    return report


def links(world):
    return set(
        EleveGroupe.objects.filter(world=world, uai=world.home.uai).values_list(
            "scolarite__eleve__eleve_id", "groupe"
        )
    )


# --- deposit checks ---------------------------------------------------------------------------


def refusal(world, name, content):
    with pytest.raises(ExchangeRefused) as refused:
        deposit(world, name, content)
    assert not Exchange.objects.filter(world=world, kind="elegroupe", target="siecle").exists()
    return refused.value.message


def test_check_1_zip_and_xml_names_differ(world):
    exported(world)
    doc = document(world, [entry(s, ["G_ESP"]) for s in pupils(world, 2)])
    inner = fmt.filename(world.home.uai, world.school_year(), dt.datetime(2027, 6, 14, 9))
    outer = fmt.zip_filename(world.home.uai, world.school_year(), dt.datetime(2027, 6, 14, 10))
    content = write_zip([ZipMember(inner, fmt.write(doc))])
    assert refusal(world, outer, content).startswith(
        "Le fichier XML contenu dans l'archive ne porte pas le même nom que l'archive"
    )


def test_check_2_year(world):
    exported(world)
    doc = document(world, [entry(s, ["G_ESP"]) for s in pupils(world, 2)])
    name, content = fmt.write_zip_file(
        fmt.ImportEleves(
            version=doc.version,
            parametres=fmt.Parametres(
                uaj=doc.uai,
                annee_scolaire=doc.annee - 1,
                date_import=doc.parametres.date_import,
                num_envoi=1,
                logiciel="EDT",
            ),
            donnees=doc.donnees,
        ),
        dt.datetime(2027, 6, 14, 9),
    )
    assert refusal(world, name, content) == "Année du fichier différente de l'année utilisée !"


def test_check_3_name(world):
    exported(world)
    _, content = zipped(world, [entry(s, ["G_ESP"]) for s in pupils(world, 2)])
    xml = fmt.write(document(world, [entry(s, ["G_ESP"]) for s in pupils(world, 2)]))
    content = write_zip([ZipMember("liens.xml", xml)])
    assert refusal(world, "liens.zip", content) == "Nom du fichier mal formaté !"


def test_check_4_schema(world):
    exported(world)
    name, _ = zipped(world, [])
    bad = b'<?xml version="1.0" encoding="ISO-8859-15"?><IMPORT_ELEVES VERSION="1.4"/>'
    content = write_zip([ZipMember(name.replace(".zip", ".xml"), bad)])
    assert refusal(world, name, content) == (
        "Fichier XML non valide. Impossible d'importer ce fichier."
    )


def test_check_5_no_pupils_export_yet(world):
    name, content = zipped(world, [entry(s, ["G_ESP"]) for s in pupils(world, 2)])
    assert refusal(world, name, content) == elegroupe.MSG_NO_EXPORT
    exported(world)
    exchange = deposit(world, name, content)
    assert exchange.state == Exchange.State.DEPOSITED
    assert links(world) == set()  # processed at night only


# --- the night --------------------------------------------------------------------------------


def test_night_counts_and_rejects(world):
    exported(world)
    sample = pupils(world, 6)
    a, b, c, d, _e, f = sample
    EleveGroupe.objects.create(world=world, uai=world.home.uai, scolarite=f, groupe="G_ALL")
    ghost = fmt.Eleve(
        eleve_id=999_999_999,
        nom_de_famille="Inconnu",
        prenom="Personne",
        date_naiss=dt.date(2012, 1, 1),
        groupes=(fmt.Groupe(code_groupe="G_ESP"),),
    )
    eleves = [
        entry(a, ["G_ESP", "G_LAT"]),  # complete
        entry(b, ["G_ESP", "XXX"], by="ine"),  # partial: unknown group
        entry(c, ["G_LAT"], by="prv"),  # identified by name + first name + birth date
        ghost,  # REJELEGROUPE_01
        entry(d, ["G_ESP"]),
        entry(d, ["G_LAT"], by="ine"),  # REJELEGROUPE_03: d again under its INE
    ]
    name, content = zipped(world, eleves)
    exchange = deposit(world, name, content)
    night(world, exchange)
    report = exchange.report
    assert exchange.state == Exchange.State.PROCESSED
    assert (report["complets"], report["partiels"], report["rejetés"]) == (3, 1, 2)
    total = Scolarite.objects.filter(
        world=world, uai=world.home.uai, annee=world.school_year(), date_sortie__isnull=True
    ).count()
    assert report["absents du fichier"] == total - 4
    assert [r["code"] for r in report["rejets"]] == ["REJELEGROUPE_01", "REJELEGROUPE_03"]
    assert report["groupes inconnus"] == ["XXX"]
    ids = {s: s.eleve.eleve_id for s in sample}
    assert links(world) == {
        (ids[a], "G_ESP"),
        (ids[a], "G_LAT"),
        (ids[b], "G_ESP"),
        (ids[c], "G_LAT"),
        (ids[d], "G_ESP"),
    }  # f's link is gone: annule et remplace
    link = EleveGroupe.objects.get(scolarite=a, groupe="G_ESP")
    assert link.source == EleveGroupe.Source.ELEGROUPE
    assert link.date_debut >= dt.date(world.school_year(), 9, 1)


def test_homonyms_are_an_unidentified_reject(world):
    exported(world)
    a, b = pupils(world, 2)
    b.eleve.nom, b.eleve.prenom, b.eleve.date_naissance = (
        a.eleve.nom,
        a.eleve.prenom,
        a.eleve.date_naissance,
    )
    b.eleve.save()
    name, content = zipped(world, [entry(a, ["G_ESP"], by="prv")])
    exchange = deposit(world, name, content)
    night(world, exchange)
    assert [r["code"] for r in exchange.report["rejets"]] == ["REJELEGROUPE_02"]


def test_second_deposit_before_the_night_replaces_the_first(world):
    exported(world)
    a, b = pupils(world, 2)
    first = deposit(world, *zipped(world, [entry(a, ["G_ESP"])]))
    second = deposit(
        world, *zipped(world, [entry(b, ["G_LAT"])], stamp=dt.datetime(2027, 6, 14, 9, 30))
    )
    night(world)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == Exchange.State.REJECTED and "Remplacé" in first.report["motif"]
    assert second.state == Exchange.State.PROCESSED
    assert links(world) == {(b.eleve.eleve_id, "G_LAT")}


def test_timeline_on_the_fiches_the_next_morning(world, client, make_member):
    from tests.siecle.siecle_world import url

    client.force_login(make_member(world))

    def on_the_fiche(scolarite) -> str:
        return client.get(
            url("fiche_onglet", world, scolarite.eleve.pk, "groupes")
        ).content.decode()

    exchange_export(world=world, kind="eleves_sans_adresses")  # Exportations > En XML
    a, b = pupils(world, 2)
    day = world.now().date() + dt.timedelta(days=1)
    advance(world, at(day.year, day.month, day.day, 10))
    exchange = deposit(world, *zipped(world, [entry(a, ["G_ESP"]), entry(b, ["G_LAT"])]))
    advance(world, at(day.year, day.month, day.day, 23))
    assert links(world) == set()
    assert "<li>G_ESP" not in on_the_fiche(a) and "<li>G_LAT" not in on_the_fiche(b)
    after = day + dt.timedelta(days=1)
    advance(world, at(after.year, after.month, after.day, 8))
    assert links(world) == {(a.eleve.eleve_id, "G_ESP"), (b.eleve.eleve_id, "G_LAT")}
    assert "<li>G_ESP" in on_the_fiche(a) and "<li>G_LAT" in on_the_fiche(b)
    exchange.refresh_from_db()
    assert exchange.state == Exchange.State.PROCESSED


def test_cli_deposit(world, tmp_path):
    exported(world)
    (a,) = pupils(world, 1)
    name, content = zipped(world, [entry(a, ["G_ESP"])])
    path = tmp_path / name
    path.write_bytes(content)
    call_command("exchange_import", world.name, "elegroupe", str(path))
    exchange = Exchange.objects.get(world=world, kind="elegroupe", target="siecle")
    assert exchange.state == Exchange.State.DEPOSITED


# --- the pages --------------------------------------------------------------------------------


def test_deposit_page_refuses_with_its_message_then_accepts_silently(world, client, make_member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.siecle.siecle_world import url

    client.force_login(make_member(world))
    a, b = pupils(world, 2)
    name, content = zipped(world, [entry(a, ["G_ESP"]), entry(b, ["XXX"])])
    response = client.post(
        url("import_elegroupe", world), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert "Aucun export des élèves n&#x27;a été effectué" in response.content.decode()
    exported(world)
    response = client.post(
        url("import_elegroupe", world), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Fichier en attente du traitement de nuit" in page and name in page
    night(world)
    page = client.get(url("importations", world)).content.decode()
    assert name in page and "Groupes inconnus (liens non créés) : XXX" in page


def test_importations_page_lists_sts_receptions_with_their_report(client, make_member):
    from tests.siecle.siecle_world import url
    from tests.siecle.test_siecle_reception_sts import deliver, structure_file

    world = college(name="Importations B1")
    deliver(world, structure_file(world.home.uai, 2027))
    client.force_login(make_member(world))
    page = client.get(url("importations", world)).content.decode()
    assert "STS-web : structure (divisions et groupes)" in page
    assert "divisions : 2" in page and "groupes : 1" in page


def test_name_identification_ignores_case_and_accents_and_uses_other_first_names(world):
    exported(world)
    a, b = pupils(world, 2)
    b.eleve.nom, b.eleve.prenom, b.eleve.date_naissance = (
        a.eleve.nom,
        a.eleve.prenom,
        a.eleve.date_naissance,
    )
    a.eleve.prenom2, b.eleve.prenom2 = "Hélène", "Marie"
    a.eleve.save()
    b.eleve.save()
    shouted = fmt.Eleve(
        id_prv_ele=12,
        nom_de_famille=a.eleve.nom.lower(),
        prenom=a.eleve.prenom.upper(),
        prenom2="HELENE",
        date_naiss=a.eleve.date_naissance,
        groupes=(fmt.Groupe(code_groupe="G_ESP"),),
    )
    exchange = deposit(world, *zipped(world, [shouted]))
    night(world, exchange)
    assert exchange.report["complets"] == 1 and exchange.report["rejets"] == []
    assert links(world) == {(a.eleve.eleve_id, "G_ESP")}


def test_check_2_compares_with_the_year_siecle_is_connected_to(world, client, make_member):
    """In June the EDT software works on the year in preparation: its file is deposited with
    SIECLE connected to that year (the page), or by the command line when the year is open."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from siecle.models import Etablissement
    from tests.siecle.siecle_world import choose_year, url

    exported(world)
    base = Etablissement.objects.get(world=world, uai=world.home.uai)
    prep = world.school_year() + 1
    assert base.derniere_annee >= prep
    (a,) = pupils(world, 1)
    doc = document(world, [entry(a, ["G_ESP"])])
    doc = fmt.ImportEleves(
        version=doc.version,
        parametres=fmt.Parametres(
            uaj=doc.uai,
            annee_scolaire=prep,
            date_import=doc.parametres.date_import,
            num_envoi=1,
            logiciel="EDT",
        ),
        donnees=doc.donnees,
    )
    name, content = fmt.write_zip_file(doc, dt.datetime(2027, 6, 14, 9))
    client.force_login(make_member(world))
    response = client.post(
        url("import_elegroupe", world), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert "Année du fichier différente de l&#x27;année utilisée !" in response.content.decode()
    choose_year(client, world, prep)
    response = client.post(
        url("import_elegroupe", world), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302
    # by the command line (no session): the year of the file, open in the base
    assert deposit(world, name, content).report["annee"] == prep


def test_a_file_the_edt_only_wrote_is_not_imported(world):
    """The EDT's export (Exchange edt → siecle) reaches SIECLE only when deposited."""
    from entsim.services.exchanges import exchange_record

    exported(world)
    (a,) = pupils(world, 1)
    name, content = zipped(world, [entry(a, ["G_ESP"])])
    written = exchange_record(
        world=world,
        kind="elegroupe",
        source="edt",
        target="siecle",
        filename=name,
        content=content,
        report={"eleves": 1},
    )
    assert night(world) == {}
    written.refresh_from_db()
    assert written.state == Exchange.State.DEPOSITED and links(world) == set()
