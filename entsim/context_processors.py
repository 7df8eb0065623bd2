"""What every page needs: the site's identity and, inside a world, the clock bar."""

from __future__ import annotations

from dataclasses import dataclass

from . import selectors


@dataclass(frozen=True)
class SiteConfig:
    """Stands in for django-dsfr's DsfrConfig row (no query per page)."""

    site_title: str = "entsim"
    site_tagline: str = "Simulateur de la chaîne SIECLE, STS-web, EDT, AAF et ENT"
    header_brand_html: str = "Ministère<br>de l'Éducation<br>nationale"
    footer_brand_html: str = "Ministère<br>de l'Éducation<br>nationale"
    footer_description: str = (
        "entsim : environnement de formation. Toutes les données sont fictives."
    )
    notice_title: str = "Environnement de formation — données fictives"
    notice_description: str = ""
    notice_link: str = ""
    notice_type: str = "info"
    notice_icon_class: str = ""
    notice_is_collapsible: bool = False
    mourning: bool = False
    beta_tag: bool = False


SITE = SiteConfig()


def site(request) -> dict:
    context: dict = {"SITE_CONFIG": SITE}
    world = getattr(request, "world", None)
    if world is not None:
        context["world"] = world
        context["member"] = request.member
        context["clock"] = selectors.clock_bar(world=world, member=request.member)
    return context
