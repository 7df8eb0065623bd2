"""Responsables (B11): search before adding, attach, create, links; doublons and merge."""

from __future__ import annotations

import pytest
from django.db.models import Count, Q

from siecle import selectors, services
from siecle.models import Eleve, LienResponsable, Personne
from siecle.services import SiecleError
from tests.siecle.siecle_world import college, url

pytestmark = pytest.mark.django_db


def pupil_without_parent_of(world, person: Personne) -> Eleve:
    return (
        Eleve.objects.filter(world=world, uai=world.home.uai)
        .exclude(liens__personne=person)
        .order_by("eleve_id")
        .first()
    )


def test_search_as_you_type_with_addresses_htmx_and_plain(client, make_member):
    world = college()
    client.force_login(make_member(world))
    person = (
        Personne.objects.filter(world=world, uai=world.home.uai, liens__niveau=1)
        .select_related("adresse")
        .order_by("personne_id")
        .first()
    )
    eleve = pupil_without_parent_of(world, person)
    partial = client.get(
        url("responsables_chercher", world, eleve.pk, resp_nom=person.nom[:3].lower()),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert partial.lstrip().startswith('<div id="responsables-trouves"')
    assert f"{person.civilite} {person.nom} {person.prenom}" in partial
    assert person.adresse.une_ligne in partial and "Rattacher" in partial
    # without JavaScript: the same search is a plain GET on the tab
    response = client.get(url("responsables_chercher", world, eleve.pk, resp_nom=person.nom))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert person.adresse.une_ligne in page
    assert "Le responsable n'est pas dans la base : le créer" in page
    page = client.get(
        url("fiche_onglet", world, eleve.pk, "responsables", resp_nom="X")
    ).content.decode()
    assert "Tapez au moins deux lettres du nom." in page
    # before any search, no creation form: always search first
    page = client.get(url("fiche_onglet", world, eleve.pk, "responsables")).content.decode()
    assert "toujours rechercher au préalable" in page and "le créer" not in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page


def test_attach_an_existing_person_and_create_a_new_one(client, make_member):
    world = college()
    home = world.home.uai
    client.force_login(make_member(world))
    person = (
        Personne.objects.filter(world=world, uai=home, liens__niveau=3)
        .order_by("personne_id")
        .first()
    )
    eleve = (
        Eleve.objects.filter(world=world, uai=home)
        .exclude(liens__personne=person)
        .order_by("eleve_id")[3]
    )
    pupils_before = person.liens.count()
    response = client.post(
        url("responsable_rattacher", world, eleve.pk),
        {"personne": person.pk, f"r{person.pk}-code_parente": "39", f"r{person.pk}-niveau": "3"},
    )
    assert response.status_code == 302
    assert person.liens.count() == pupils_before + 1  # siblings share the person
    response = client.post(
        url("responsable_rattacher", world, eleve.pk),
        {"personne": person.pk, f"r{person.pk}-code_parente": "39", f"r{person.pk}-niveau": "3"},
    )
    assert response.status_code == 302
    assert "est déjà rattaché" in client.get(response["Location"]).content.decode()
    # a third legal responsable is refused
    legal = eleve.liens.filter(niveau=1).count()
    for index in range(3 - legal):
        services.responsable_creer(
            world=world,
            eleve=eleve,
            civilite="MME",
            nom_famille="Tutrice",
            prenom=f"Anne{index}",
            code_parente="50",
            niveau=1 if index < 2 - legal else 3,
        )
    with pytest.raises(SiecleError, match="au plus deux représentants légaux"):
        services.responsable_creer(
            world=world,
            eleve=eleve,
            civilite="M.",
            nom_famille="Trois",
            prenom="Paul",
            code_parente="20",
            niveau=1,
        )
    other = (
        Eleve.objects.filter(world=world, uai=home)
        .exclude(pk=eleve.pk)
        .annotate(legal=Count("liens", filter=Q(liens__niveau=1)))
        .filter(legal=1)
        .order_by("eleve_id")
        .first()
    )
    data = {
        "civilite": "M.",
        "nom": "Lefèvre",
        "prenom": "Jean",
        "code_parente": "20",
        "niveau": "1",
        "meme_adresse": "",
        "ligne1": "",
    }
    page = client.post(url("responsable_creer", world, other.pk), data).content.decode()
    assert "Indiquez l&#x27;adresse, ou cochez « Même adresse que l&#x27;élève »." in page
    data.update(meme_adresse="on")
    response = client.post(url("responsable_creer", world, other.pk), data)
    assert response.status_code == 302
    created = Personne.objects.get(world=world, uai=home, nom="LEFEVRE", prenom="Jean")
    assert created.adresse_id == other.adresse_id
    assert created.compte_ts.startswith("j.lefevre") and created.personne_id > 200_000
    assert other.historique.filter(action="Responsables").exists()


def test_link_changes_complete_the_planted_fiche(client, make_member):
    world = college()
    home = world.home.uai
    client.force_login(make_member(world))
    scolarite, _ = next(
        (s, m)
        for s, m in selectors.with_motifs(
            selectors.fiches_bloquantes(world=world, uai=home, annee=2026)
        )
        if m == ["Aucun représentant légal avec une adresse"]
        and s.eleve.liens.filter(niveau=LienResponsable.Niveau.CONTACT).exists()
    )
    lien = scolarite.eleve.liens.get()
    assert lien.niveau == LienResponsable.Niveau.CONTACT
    prefix = f"lien-{lien.pk}"
    response = client.post(
        url("lien_modifier", world, scolarite.eleve.pk, lien.pk),
        {f"{prefix}-code_parente": lien.code_parente, f"{prefix}-niveau": "1"},
    )
    assert response.status_code == 302
    assert selectors.fiches_bloquantes_count(world=world, uai=home, annee=2026) == 1
    lien.refresh_from_db()
    assert lien.niveau == 1 and lien.personne.compte_ts
    response = client.post(url("lien_supprimer", world, scolarite.eleve.pk, lien.pk))
    assert response.status_code == 302
    assert not scolarite.eleve.liens.exists()
    assert selectors.fiches_bloquantes_count(world=world, uai=home, annee=2026) == 2


def test_doublons_responsables_chercher_and_modifier(client, make_member):
    world = college()
    home = world.home.uai
    client.force_login(make_member(world))
    page = client.get(url("doublons", world)).content.decode()
    assert "Fiches élèves - Doublons responsables" in page
    assert "Point de vigilance" in page and "incrémentation du chiffre derrière" in page
    page = client.get(url("doublons", world, chercher=1)).content.decode()
    for column in (
        "Civilité",
        "Nom",
        "Prénom",
        "Adresse",
        "Élèves rattachés",
        "Compte TS",
        "Supprimer",
        "Remplacer",
    ):
        assert f">{column}</th>" in page
    assert page.count("2 responsables trouvés.") == 2 and page.count(">MODIFIER</button>") == 2
    assert "Aucun élève" in page and "Aucun</td>" in page

    groups = selectors.doublons_responsables(world=world, uai=home)
    sibling_group = next(g for g in groups if all(g.eleves[p.pk] for p in g.personnes))
    original, duplicate = sibling_group.personnes
    assert original.compte_ts and duplicate.compte_ts
    prefix = original.compte_ts.rstrip("0123456789")
    moved = [e.pk for e in sibling_group.eleves[duplicate.pk]]

    # bad choices: a clear message, nothing changes
    for data, message in (
        ({"supprimer": original.pk}, "Cochez le responsable qui le remplace."),
        (
            {"supprimer": original.pk, "remplacer": original.pk},
            "Choisissez deux responsables différents",
        ),
    ):
        response = client.post(url("doublons_modifier", world), data)
        assert message in client.get(response["Location"]).content.decode()
    other = Personne.objects.filter(world=world, uai=home).exclude(nom=original.nom).first()
    with pytest.raises(SiecleError, match="même nom et le même prénom"):
        services.responsables_fusionner(world=world, supprime=other, remplace=original)
    assert Personne.objects.filter(pk=duplicate.pk).exists()

    response = client.post(
        url("doublons_modifier", world),
        {"supprimer": duplicate.pk, "remplacer": original.pk, "next": url("doublons", world)},
    )
    assert response.status_code == 302
    message = client.get(response["Location"]).content.decode()
    assert not Personne.objects.filter(pk=duplicate.pk).exists()
    original.refresh_from_db()
    # the deleted one's account goes; the kept one gets a new one, its number incremented
    numbers = [int(a[len(prefix) :]) for a in (original.compte_ts,)]
    assert original.compte_ts.startswith(prefix)
    assert numbers[0] > int(duplicate.compte_ts[len(prefix) :])
    assert not Personne.objects.filter(world=world, compte_ts=duplicate.compte_ts).exists()
    assert f"nouveau compte {original.compte_ts}" in message
    assert set(original.liens.values_list("eleve", flat=True)) >= set(moved)
    assert selectors.doublons_responsables(world=world, uai=home, nom_=original.nom) == []
    eleve = Eleve.objects.get(pk=moved[0])
    assert eleve.historique.filter(action="Doublons responsables").exists()
