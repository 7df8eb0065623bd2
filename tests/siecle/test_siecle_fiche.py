"""The pupil's fiche: MEF, division, dates, options, identity, address, with their history."""

from __future__ import annotations

import datetime as dt

import pytest

from entsim import nomenclatures as nom
from siecle import selectors, services
from siecle.models import Eleve, Historique, OptionEleve, Scolarite
from siecle.services import SiecleError
from tests.siecle.siecle_world import choose_year, college, url

pytestmark = pytest.mark.django_db


def sts_structure_2027(world) -> None:
    """What STS-web's structure export of the year in preparation brings (issue STS)."""
    divisions = [
        {"code": f"{digit}{letter}", "libelle": f"{digit}EME {letter}", "mefs": [mef]}
        for digit, mef in (
            ("6", nom.MEF_6EME),
            ("5", nom.MEF_5EME),
            ("4", nom.MEF_4EME),
            ("3", nom.MEF_3EME),
        )
        for letter in "ABCDE"
    ]
    services.structures_recevoir(world=world, uai=world.home.uai, annee=2027, divisions=divisions)


def returning(world, mef_before: str) -> Scolarite:
    return (
        Scolarite.objects.filter(
            world=world, uai=world.home.uai, annee=2027, an_dernier_mef=mef_before
        )
        .select_related("eleve")
        .order_by("eleve__eleve_id")
        .first()
    )


def test_affect_mef_and_division_with_history_and_refusals(client, make_member):
    world = college()
    sts_structure_2027(world)
    user = make_member(world)
    user.first_name, user.last_name = "Nadia", "Secrétaire"
    user.save()
    client.force_login(user)
    choose_year(client, world, 2027)
    scolarite = returning(world, nom.MEF_6EME)
    eleve = scolarite.eleve
    target = url("scolarite_modifier", world, eleve.pk)

    page = client.post(target, {"mef_code": "", "division": "5A"}).content.decode()
    assert "Choisissez le MEF de l&#x27;élève avant sa division." in page
    page = client.post(target, {"mef_code": nom.MEF_5EME, "division": "6A"}).content.decode()
    assert "La division 6A n&#x27;accueille pas le MEF" in page
    page = client.post(target, {"mef_code": "99999999999", "division": ""}).content.decode()
    assert "Sélectionnez un choix valide" in page
    page = client.post(
        target,
        {
            "mef_code": nom.MEF_5EME,
            "division": "5A",
            "date_entree": "2027-09-01",
            "date_sortie": "2027-08-01",
        },
    ).content.decode()
    assert "La date de sortie (01/08/2027) ne peut précéder la date d&#x27;entrée" in page
    scolarite.refresh_from_db()
    assert (scolarite.mef_code, scolarite.division) == ("", "")  # unchanged
    assert not Historique.objects.filter(eleve=eleve).exists()

    response = client.post(target, {"mef_code": nom.MEF_5EME, "division": "5A"})
    assert response.status_code == 302
    assert response["Location"] == url("fiche_onglet", world, eleve.pk, "scolarite")
    scolarite.refresh_from_db()
    assert (scolarite.mef_code, scolarite.division) == (nom.MEF_5EME, "5A")
    assert scolarite.scolarise and scolarite.date_entree is not None  # kept from 2026
    line = Historique.objects.get(eleve=eleve)
    assert line.action == "Scolarité 2027-2028"
    assert line.detail.startswith("MEF : — → 5EME ; Division : — → 5A")
    assert line.auteur_nom == "Nadia Secrétaire" and line.le == world.now()
    page = client.get(url("fiche_onglet", world, eleve.pk, "historique")).content.decode()
    assert "Nadia Secrétaire" in page and "Division : — → 5A" in page
    assert "14/06/2027 08:00" in page

    # htmx: the panel comes back with the message
    partial = client.post(
        target, {"mef_code": nom.MEF_5EME, "division": "5B"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.lstrip().startswith('<div id="fiche-panneau"')
    assert "Scolarité enregistrée." in partial

    with pytest.raises(SiecleError, match="MEF inconnu"):
        services.scolarite_update(
            world=world, eleve=eleve, annee=2027, mef_code="16410002110", division=""
        )
    with pytest.raises(SiecleError, match="n'existe pas en 2027-2028"):
        services.scolarite_update(
            world=world, eleve=eleve, annee=2027, mef_code=nom.MEF_5EME, division="5Z"
        )


def test_options_follow_the_mef_programme(client, make_member):
    world = college()
    client.force_login(make_member(world))
    scolarite = (
        Scolarite.objects.filter(world=world, uai=world.home.uai, annee=2026, mef_code=nom.MEF_5EME)
        .exclude(options__matiere_code=nom.LCA_LATIN)
        .select_related("eleve")
        .order_by("eleve__eleve_id")
        .first()
    )
    eleve = scolarite.eleve
    codes = list(scolarite.options.values_list("matiere_code", flat=True))
    assert codes[0] == nom.ANGLAIS_LV1 and codes[1] in nom.LV2_SUBJECTS
    page = client.get(url("fiche_onglet", world, eleve.pk, "options")).content.decode()
    assert f'value="{nom.LCA_LATIN}"' in page  # offered: modalité F of the 5EME programme
    assert f'value="{nom.FRANCAIS}"' not in page  # tronc commun: not an option
    assert f'value="{nom.PHILOSOPHIE}"' not in page  # not in the MEF

    response = client.post(url("option_ajouter", world, eleve.pk), {"matiere_code": nom.LCA_LATIN})
    assert response.status_code == 302
    latin = scolarite.options.get(matiere_code=nom.LCA_LATIN)
    assert (latin.num_option, latin.modalite) == (3, "F")
    page = client.post(
        url("option_ajouter", world, eleve.pk), {"matiere_code": nom.PHILOSOPHIE}
    ).content.decode()
    assert "Sélectionnez un choix valide" in page
    with pytest.raises(SiecleError, match="n'est pas une option du MEF"):
        services.option_inscrire(world=world, scolarite=scolarite, matiere_code=nom.PHILOSOPHIE)
    other_lv2 = next(s for s in nom.LV2_SUBJECTS if s != codes[1])
    with pytest.raises(SiecleError, match="Langue vivante 2 : 1 choix au plus"):
        services.option_inscrire(world=world, scolarite=scolarite, matiere_code=other_lv2)
    with pytest.raises(SiecleError, match="déjà inscrit"):
        services.option_inscrire(world=world, scolarite=scolarite, matiere_code=nom.LCA_LATIN)

    lv2 = scolarite.options.get(matiere_code=codes[1])
    response = client.post(url("option_retirer", world, eleve.pk, lv2.pk))
    assert response.status_code == 302
    assert list(scolarite.options.values_list("num_option", "matiere_code")) == [
        (1, nom.ANGLAIS_LV1),
        (2, nom.LCA_LATIN),
    ]
    # back to 6e: latin is not in the 6EME programme and goes
    result = services.scolarite_update(
        world=world, eleve=eleve, annee=2026, mef_code=nom.MEF_6EME, division="6A"
    )
    assert result.options_removed == [nom.LCA_LATIN]
    assert list(scolarite.options.values_list("matiere_code", flat=True)) == [nom.ANGLAIS_LV1]
    details = list(Historique.objects.filter(eleve=eleve).values_list("detail", flat=True))
    assert any("Inscription : 020300 (modalité F)" in d for d in details)
    assert any("Options retirées" in d for d in details)
    # an option of another pupil is not reachable through this fiche
    other = OptionEleve.objects.filter(world=world).exclude(scolarite=scolarite).first()
    assert client.post(url("option_retirer", world, eleve.pk, other.pk)).status_code == 404


def test_identity_and_address_updates_complete_a_fiche_bloquante(client, make_member):
    world = college()
    home = world.home.uai
    client.force_login(make_member(world))
    # a birth commune left empty (the planted fiches bloquantes are on the responsables)
    eleve = (
        Scolarite.objects.filter(
            world=world,
            uai=home,
            annee=2026,
            date_sortie__isnull=True,
            eleve__code_pays_naiss="100",
        )
        .exclude(
            eleve__in=[
                s.eleve for s in selectors.fiches_bloquantes(world=world, uai=home, annee=2026)
            ]
        )
        .order_by("eleve__eleve_id")
        .first()
        .eleve
    )
    Eleve.objects.filter(pk=eleve.pk).update(code_commune_insee_naiss="", code_departement_naiss="")
    eleve.refresh_from_db()
    assert [
        m
        for s, m in selectors.with_motifs(
            selectors.fiches_bloquantes(world=world, uai=home, annee=2026)
        )
        if s.eleve_id == eleve.pk
    ] == [["Commune de naissance non renseignée (élève né en France)"]]
    data = {
        "nom": eleve.nom,
        "nom_usage": "",
        "prenom": eleve.prenom,
        "prenom2": eleve.prenom2,
        "prenom3": eleve.prenom3,
        "sexe": eleve.sexe,
        "date_naissance": eleve.date_naissance.isoformat(),
        "code_pays_naiss": "100",
        "code_commune_insee_naiss": "13055" if "13055" in nom.COMMUNES else "13201",
        "ville_naiss": "",
        "code_pays_nat": "100",
        "code_regime": eleve.code_regime,
    }
    bad = dict(data, date_naissance="1890-01-01")
    page = client.post(url("identite_modifier", world, eleve.pk), bad).content.decode()
    assert "Date de naissance invraisemblable : 01/01/1890." in page
    eleve.refresh_from_db()
    assert eleve.code_commune_insee_naiss == ""
    response = client.post(url("identite_modifier", world, eleve.pk), data)
    assert response.status_code == 302
    eleve.refresh_from_db()
    assert eleve.code_commune_insee_naiss == data["code_commune_insee_naiss"]
    assert eleve.ville_naiss and eleve.code_departement_naiss == "013"
    assert selectors.fiches_bloquantes_count(world=world, uai=home, annee=2026) == 2
    assert Historique.objects.get(eleve=eleve, action="Identité").detail.startswith(
        "Commune de naissance : — → 132"
    )

    shared = selectors.adresse_partagee(eleve=eleve)
    address = {
        "ligne1": "12 rue des Lilas",
        "ligne2": "Bât. B",
        "code_postal": "ABC",
        "commune": "Marseille",
        "code_pays": "100",
    }
    page = client.post(url("adresse_modifier", world, eleve.pk), address).content.decode()
    assert "Le code postal doit compter 5 chiffres." in page
    address["code_postal"] = "13004"
    response = client.post(url("adresse_modifier", world, eleve.pk), address)
    assert response.status_code == 302
    eleve = Eleve.objects.select_related("adresse").get(pk=eleve.pk)
    assert eleve.adresse.une_ligne == "12 RUE DES LILAS BAT. B 13004 MARSEILLE FRANCE"
    assert selectors.adresse_partagee(eleve=eleve) == shared  # the household moved together
    assert Historique.objects.filter(eleve=eleve, action="Adresse").exists()


def test_descolariser_and_default_dates():
    world = college()
    scolarite = (
        Scolarite.objects.filter(world=world, uai=world.home.uai, annee=2026)
        .select_related("eleve")
        .first()
    )
    with pytest.raises(SiecleError, match="ne peut précéder la date d'entrée"):
        services.eleve_descolariser(
            world=world, eleve=scolarite.eleve, annee=2026, date_sortie=dt.date(2020, 1, 1)
        )
    services.eleve_descolariser(
        world=world, eleve=scolarite.eleve, annee=2026, date_sortie=dt.date(2027, 6, 14)
    )
    scolarite.refresh_from_db()
    assert not scolarite.scolarise and scolarite.date_sortie == dt.date(2027, 6, 14)
    with pytest.raises(SiecleError, match="déjà sorti"):
        services.eleve_descolariser(
            world=world, eleve=scolarite.eleve, annee=2026, date_sortie=dt.date(2027, 6, 15)
        )
    assert services.date_entree_defaut(world, 2026) == dt.date(2027, 6, 14)
    assert services.date_entree_defaut(world, 2027) == dt.date(2027, 9, 1)
