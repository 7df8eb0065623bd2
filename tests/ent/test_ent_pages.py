"""N2–N5 pages: directory, distribution lists, textbooks, "Voir l'ENT comme…"; plain and htmx,
isolation between worlds, read-only help desk, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ent import selectors
from ent.models import Account, Cohort, Textbook, TextbookAssignment
from entsim.formats import aaf
from tests.ent.ent_aafkit import etab, feed, pupil, relative, subject, teacher

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def college() -> list[aaf.Request]:
    return [
        etab(
            classes=[("3A", "3EME A"), ("3B", "3EME B")],
            groups=[("3ESP1", "ESPAGNOL LV2"), ("3ALL1", "ALLEMAND LV2")],
        ),
        subject("030602", "ESPAGNOL LV2"),
        pupil("1001", "MARTIN", "Zoé", classes=["3A"], groups=["3ESP1"], relatives=[("5001", "1")]),
        pupil("1002", "NGUYEN", "Léo", classes=["3B"], groups=["3ESP1"], relatives=[("5002", "1")]),
        pupil("1003", "DUPONT", "Jean", classes=["3B"], relatives=[("5002", "1")]),
        relative("5001", "MARTIN", "Inès"),
        relative("5002", "NGUYEN", "Thi"),
        relative("5003", "NGUYEN", "Thi"),  # a duplicate, named by nobody with legal = 1
        teacher(
            "7001",
            "GARCIA",
            "Lucía",
            classes=[("3A", "030602"), ("3B", "030602")],
            groups=[("3ESP1", "030602")],
            principal=["3A"],
        ),
    ]


@pytest.fixture
def world(make_world):
    world = make_world()
    feed(world, college())
    return world


def url(world, name: str, query: str = "") -> str:
    return reverse(f"ent:{name}", args=[world.slug]) + (f"?{query}" if query else "")


def cohort(world, code: str) -> Cohort:
    return Cohort.objects.get(world=world, code=code)


def account(world, jointure: str) -> Account:
    return selectors.account_by_jointure(world=world, jointure=jointure)


def page(client, address: str, **extra) -> str:
    response = client.get(address, **extra)
    assert response.status_code == 200, (address, response.status_code)
    return response.content.decode()


def test_console_shows_counts_and_import_report(client, world, make_member):
    client.force_login(make_member(world))
    html = page(client, url(world, "landing"))
    assert "console d'administration" in html and "CLG DE TEST" in html
    assert "comptes créés 6" in html and "Traité" in html
    html = page(client, url(world, "accounts", "q=zoe"))
    assert "zoe.martin" in html and account(world, "1001").activation_code in html
    assert "leo.nguyen" not in html
    partial = page(client, url(world, "accounts", "profil=parent&etat=non_retenu"), **HTMX)
    assert "<html" not in partial and 'id="resultats"' in partial and "NGUYEN Thi" in partial
    assert "1 compte(s)" in partial


def test_directory_classes_groups_and_members(client, world, make_member):
    client.force_login(make_member(world))
    html = page(client, url(world, "directory"))
    assert "Classes" in html and "3EME A" in html and "ESPAGNOL LV2" in html
    assert "aucun élève" in html  # 3ALL1: no pupil linked yet
    assert "3A, 3B" in html  # the Spanish group is drawn from two classes
    assert 'id="annuaire"' in page(client, url(world, "directory"), **HTMX)
    group = page(client, url(world, "cohort", f"id={cohort(world, '3ESP1').pk}"))
    assert "Issus des classes : 3A, 3B" in group
    assert "MARTIN Zoé" in group and "NGUYEN Léo" in group and "DUPONT Jean" not in group
    assert "GARCIA Lucía" in group and "ESPAGNOL LV2" in group
    classe = page(client, url(world, "cohort", f"id={cohort(world, '3A').pk}"))
    assert "professeur principal" in classe
    response = client.get(url(world, "cohort"))
    assert response.status_code == 302 and response["Location"] == url(world, "directory")


def test_distribution_lists_per_class_and_group(client, world, make_member):
    client.force_login(make_member(world))
    html = page(client, url(world, "lists"))
    for code in ("Classe 3A", "Classe 3B", "Groupe 3ESP1", "Groupe 3ALL1"):
        assert f"{code} — élèves et enseignants" in html
    assert "liste vide" in html  # 3ALL1
    lists = {
        item.cohort.code: item
        for item in selectors.distribution_lists(
            world=world, structure=selectors.structure_current(world=world, pk=None)
        )
    }
    assert (lists["3ESP1"].pupils, lists["3ESP1"].teachers, lists["3ESP1"].classes) == (
        2,
        1,
        ["3A", "3B"],
    )
    detail = page(client, url(world, "list_detail", f"id={cohort(world, '3ESP1').pk}"))
    assert "2 élève(s) et 1 enseignant(s)" in detail
    assert 'id="listes"' in page(client, url(world, "lists"), **HTMX)


def test_textbook_reached_only_through_the_right_group(client, world, make_member):
    client.force_login(make_member(world))
    response = client.post(
        url(world, "textbook_create"), {"title": "Manuel d'espagnol LV2", "publisher": "Hachette"}
    )
    assert response.status_code == 302
    book = Textbook.objects.get(world=world)
    group = cohort(world, "3ESP1")
    partial = client.post(
        url(world, "textbook_assign"), {"textbook": book.pk, "cible": f"c{group.pk}"}, **HTMX
    ).content.decode()
    assert "<html" not in partial and "Groupe d&#x27;enseignement 3ESP1" in partial
    assignment = TextbookAssignment.objects.get(textbook=book)
    assert assignment.cohort == group

    def textbooks(jointure):
        return [
            b.title
            for b, _ in selectors.textbooks_for(world=world, account=account(world, jointure))
        ]

    assert textbooks("1001") == ["Manuel d'espagnol LV2"]  # Zoé, 3A, in 3ESP1
    assert textbooks("1002") == ["Manuel d'espagnol LV2"]  # Léo, 3B, in 3ESP1
    assert textbooks("1003") == []  # Jean, 3B, not in the group
    assert textbooks("7001") == ["Manuel d'espagnol LV2"]  # the group's teacher
    home = page(client, url(world, "view_as_home", f"compte={account(world, '1001').pk}"))
    assert "Manuel d&#x27;espagnol LV2" in home and "groupe d&#x27;enseignement 3ESP1" in home
    # assigned again: refused, in French; then by MEF: every pupil of the MEF reaches it
    again = client.post(
        url(world, "textbook_assign"), {"textbook": book.pk, "cible": f"c{group.pk}"}, follow=True
    )
    assert "déjà attribué au groupe 3ESP1" in again.content.decode()
    client.post(url(world, "textbook_assign"), {"textbook": book.pk, "cible": "m10310019110"})
    assert textbooks("1003") == ["Manuel d'espagnol LV2"]
    response = client.post(url(world, "textbook_unassign"), {"attribution": assignment.pk})
    assert response.status_code == 302
    assert list(book.assignments.values_list("target", flat=True)) == ["mef"]
    html = page(client, url(world, "textbooks"))
    assert "Manuel d&#x27;espagnol LV2" in html and "MEF 10310019110" in html


def test_view_as_pupil_teacher_parent(client, world, make_member):
    client.force_login(make_member(world))
    found = page(client, url(world, "view_as", "q=nguyen"), **HTMX)
    assert "<html" not in found
    assert found.count("NGUYEN Thi") == 2  # two PersRelEleve for one person: two entries
    assert "NGUYEN Léo" in found
    zoe = page(client, url(world, "view_as_home", f"compte={account(world, '1001').pk}"))
    assert "Ma classe" in zoe and "3A" in zoe and "3ESP1" in zoe
    assert "Groupe 3ESP1 — élèves et enseignants" in zoe and "MARTIN Inès" in zoe
    garcia = page(client, url(world, "view_as_home", f"compte={account(world, '7001').pk}"))
    assert "Mes classes" in garcia and "3A" in garcia and "3B" in garcia and "3ESP1" in garcia
    assert "(professeur principal)" in garcia
    thi = page(client, url(world, "view_as_home", f"compte={account(world, '5002').pk}"))
    assert "Mes enfants" in thi and "Léo NGUYEN" in thi and "Jean DUPONT" in thi
    duplicate = page(client, url(world, "view_as_home", f"compte={account(world, '5003').pk}"))
    assert "Pas de compte" in duplicate
    assert client.get(url(world, "view_as_home")).status_code == 302


def test_first_connection_with_the_activation_code(client, world, make_member):
    client.force_login(make_member(world))
    zoe = account(world, "1001")
    wrong = client.post(url(world, "activation"), {"login": "zoe.martin", "code": "ZZZZZZZZ"})
    assert wrong.status_code == 200 and "Code d&#x27;activation incorrect" in wrong.content.decode()
    right = client.post(
        url(world, "activation"), {"login": "zoe.martin", "code": zoe.activation_code}
    )
    assert right.status_code == 302
    zoe.refresh_from_db()
    assert zoe.activated_at is not None
    assert zoe.activation_code not in page(client, url(world, "accounts", "q=zoe"))


def test_other_worlds_objects_are_404(client, world, make_world, make_member):
    other = make_world("Monde B", uai="0130002F")
    feed(other, college())
    book = Textbook.objects.create(world=other, title="Latin", created_at=other.now())
    assignment = TextbookAssignment.objects.create(
        world=other,
        textbook=book,
        target="groupe",
        cohort=cohort(other, "3ESP1"),
        created_at=other.now(),
    )
    client.force_login(make_member(world, role="formateur"))
    foreign_cohort = cohort(other, "3ESP1").pk
    assert client.get(url(world, "cohort", f"id={foreign_cohort}")).status_code == 404
    assert client.get(url(world, "list_detail", f"id={foreign_cohort}")).status_code == 404
    foreign_account = account(other, "1001").pk
    assert client.get(url(world, "view_as_home", f"compte={foreign_account}")).status_code == 404
    structure = selectors.structure_current(world=other, pk=None).pk
    assert client.get(url(world, "directory", f"etablissement={structure}")).status_code == 404
    assert client.get(url(world, "cohort", "id=abc")).status_code == 404
    mine = Textbook.objects.create(world=world, title="Espagnol", created_at=world.now())
    response = client.post(
        url(world, "textbook_assign"), {"textbook": book.pk, "cible": f"c{cohort(world, '3A').pk}"}
    )
    assert response.status_code == 404
    response = client.post(
        url(world, "textbook_assign"), {"textbook": mine.pk, "cible": f"c{foreign_cohort}"}
    )
    assert response.status_code in (302, 404)
    assert not mine.assignments.exists()
    assert (
        client.post(url(world, "textbook_unassign"), {"attribution": assignment.pk}).status_code
        == 404
    )
    assert TextbookAssignment.objects.filter(pk=assignment.pk).exists()
    # and the other world's pages are not there at all
    client.force_login(make_member(world, role="stagiaire"))
    assert client.get(reverse("ent:directory", args=[other.slug])).status_code == 404


def test_help_desk_reads_but_does_not_write(client, world, make_member):
    client.force_login(make_member(world, role="assistance"))
    for name in ("landing", "accounts", "directory", "lists", "textbooks", "view_as", "activation"):
        assert client.get(url(world, name)).status_code == 200, name
    zoe = account(world, "1001")
    assert client.post(url(world, "textbook_create"), {"title": "X"}).status_code == 403
    assert (
        client.post(
            url(world, "textbook_assign"), {"textbook": 1, "cible": f"c{cohort(world, '3A').pk}"}
        ).status_code
        == 403
    )
    assert client.post(url(world, "textbook_unassign"), {"attribution": 1}).status_code == 403
    response = client.post(
        url(world, "activation"), {"login": "zoe.martin", "code": zoe.activation_code}
    )
    assert response.status_code == 403
    assert not Textbook.objects.filter(world=world).exists()
    zoe.refresh_from_db()
    assert zoe.activated_at is None
    assert "Ajouter un manuel" not in page(client, url(world, "textbooks"))


def big_college(pupils: int = 300) -> list[aaf.Request]:
    """Hundreds of accounts: 12 classes, 8 language groups, each drawn from 3 classes."""
    classes = [f"3{letter}" for letter in "ABCDEFGHIJKL"]
    groups = [f"LV2G{n}" for n in range(1, 9)]
    requests: list[aaf.Request] = [
        etab(classes=[(c, c) for c in classes], groups=[(g, f"LV2 {g}") for g in groups]),
        subject("030602", "ESPAGNOL LV2"),
    ]
    for n in range(pupils):
        requests.append(
            pupil(
                str(10_000 + n),
                f"NOM{n % 97}",
                f"Prénom{n}",
                classes=[classes[n % 12]],
                groups=[groups[n % 8]],
                relatives=[(str(50_000 + n), "1")],
            )
        )
        requests.append(relative(str(50_000 + n), f"NOM{n % 97}", f"Parent{n}"))
    for n in range(24):
        requests.append(
            teacher(
                str(70_000 + n),
                f"PROF{n}",
                "Camille",
                classes=[(classes[n % 12], "030602"), (classes[(n + 1) % 12], "030602")],
                groups=[(groups[n % 8], "030602")],
                principal=[classes[n % 12]] if n < 12 else [],
            )
        )
    return requests


def test_pages_stay_under_20_queries_with_hundreds_of_accounts(
    client, make_world, make_member, django_assert_max_num_queries
):
    world = make_world()
    exchange = feed(world, big_college())
    assert exchange.report["crees"] == 624, exchange.report
    client.force_login(make_member(world))
    book = Textbook.objects.create(
        world=world, title="Manuel d'espagnol LV2", created_at=world.now()
    )
    for group in Cohort.objects.filter(world=world, kind="groupe"):
        TextbookAssignment.objects.create(
            world=world, textbook=book, target="groupe", cohort=group, created_at=world.now()
        )
    group = cohort(world, "LV2G1")
    teacher_pk = account(world, "70000").pk
    addresses = [
        url(world, "landing"),
        url(world, "accounts"),
        url(world, "accounts", "q=nom1&page=2"),
        url(world, "directory"),
        url(world, "cohort", f"id={group.pk}"),
        url(world, "cohort", f"id={cohort(world, '3A').pk}"),
        url(world, "lists"),
        url(world, "list_detail", f"id={group.pk}"),
        url(world, "textbooks"),
        url(world, "view_as", "q=nom"),
        url(world, "view_as_home", f"compte={account(world, '10000').pk}"),
        url(world, "view_as_home", f"compte={account(world, '50000').pk}"),
        url(world, "view_as_home", f"compte={teacher_pk}"),
    ]
    for address in addresses:
        with django_assert_max_num_queries(20):
            page(client, address)
        with django_assert_max_num_queries(20):
            client.get(address, **HTMX)
    assert "3A, 3E, 3I" in page(client, url(world, "directory"))


def test_import_of_a_few_thousand_accounts_is_quick(make_world):
    """Measured, not a benchmark: 1,000 pupils, 1,000 parents, 48 teachers in one Complet."""
    world = make_world()
    started = dt.datetime.now()
    exchange = feed(world, big_college(1000))
    elapsed = (dt.datetime.now() - started).total_seconds()
    assert exchange.report["crees"] == 2024
    assert elapsed < 60, elapsed
