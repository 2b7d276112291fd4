"""Every catalog URL is https, well formed, unique, and on a host this test keeps on its allowlist.

Nothing is fetched (no network in CI): scripts/check_catalog_links.py does that for operators
(docs/catalog-languages.md). A new host is a deliberate choice: add it to :data:`ALLOWED_HOSTS` below.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import pytest

RAW: dict[str, Any] = json.loads(
    resources.files("skillbridge.adapters.ai.catalog").joinpath("resources.json").read_text(encoding="utf-8")
)
URLS = [item["url"] for domain in RAW["domains"] for module in domain["modules"] for item in module["resources"]]

#: The hosts the catalog may link to: official documentation, well-known free courses and their translations.
ALLOWED_HOSTS = frozenset(
    {
        "12factor.net",
        "accessibilite.numerique.gouv.fr",
        "ar.react.dev",
        "attack.mitre.org",
        "automatetheboringstuff.com",
        "bitcoin.org",
        "cartilha.cert.br",
        "cheatsheetseries.owasp.org",
        "clauswilke.com",
        "codelabs.developers.google.com",
        "course.fast.ai",
        "cryptohack.org",
        "cryptozombies.io",
        "cs50.harvard.edu",
        "csrc.nist.gov",
        "css-tricks.com",
        "d2l.ai",
        "dart.dev",
        "design-system.service.gov.uk",
        "developer.android.com",
        "developer.apple.com",
        "developer.hashicorp.com",
        "developer.mozilla.org",
        "developers.google.com",
        "doc.ubuntu-fr.org",
        "docker-curriculum.com",
        "docs.djangoproject.com",
        "docs.docker.com",
        "docs.ethers.org",
        "docs.expo.dev",
        "docs.flutter.dev",
        "docs.github.com",
        "docs.gitlab.com",
        "docs.openzeppelin.com",
        "docs.postgresql.fr",
        "docs.pytest.org",
        "docs.python.org",
        "docs.soliditylang.org",
        "docs.sqlalchemy.org",
        "docs.streamlit.io",
        "edu.gcfglobal.org",
        "eloquentjavascript.net",
        "ethereum.org",
        "ethernaut.openzeppelin.com",
        "expressjs.com",
        "fastapi.tiangolo.com",
        "flask.palletsprojects.com",
        "flexboxfroggy.com",
        "fr.khanacademy.org",
        "fr.react.dev",
        "git-scm.com",
        "github.com",
        "greenteapress.com",
        "hardhat.org",
        "help.penpot.app",
        "huggingface.co",
        "jakevdp.github.io",
        "javascript.info",
        "jestjs.io",
        "kotlinlang.org",
        "kubernetes.io",
        "lawsofux.com",
        "learn.microsoft.com",
        "linuxcommand.org",
        "linuxjourney.com",
        "m3.material.io",
        "madewithml.com",
        "matplotlib.org",
        "mode.com",
        "nodejs.org",
        "overthewire.org",
        "owasp.org",
        "packaging.python.org",
        "pandas.pydata.org",
        "portswigger.net",
        "pt-br.react.dev",
        "pt.khanacademy.org",
        "pymotw.com",
        "python.sdv.u-paris.fr",
        "pytorch.org",
        "react.dev",
        "reactnative.dev",
        "scikit-learn.org",
        "secnumacademie.gouv.fr",
        "selectstarsql.com",
        "skillbuilder.aws",
        "skills.github.com",
        "sqlbolt.com",
        "sqlzoo.net",
        "tryhackme.com",
        "use-the-index-luke.com",
        "web.dev",
        "wiki.hsoub.com",
        "www.atlassian.com",
        "www.cloudflare.com",
        "www.cloudskillsboost.google",
        "www.crypto101.io",
        "www.freecodecamp.org",
        "www.gov.br",
        "www.gov.uk",
        "www.guiafoca.org",
        "www.interaction-design.org",
        "www.kaggle.com",
        "www.khanacademy.org",
        "www.nist.gov",
        "www.nngroup.com",
        "www.openintro.org",
        "www.postgresql.org",
        "www.py4e.com",
        "www.root-me.org",
        "www.sqlite.org",
        "www.systeme-de-design.gouv.fr",
        "www.theodinproject.com",
        "www.typescriptlang.org",
        "www.w3.org",
        "www.youtube.com",
    }
)


def _fault(url: str) -> str | None:
    """Why ``url`` may not be in the catalog, or None."""
    if url != url.strip() or any(ch.isspace() for ch in url):
        return "whitespace"
    parts = urlsplit(url)
    if parts.scheme != "https":
        return "not https"
    if parts.username or parts.password or parts.port is not None:
        return "credentials or port"
    if not parts.hostname or parts.hostname not in ALLOWED_HOSTS:
        return "host not on the allowlist"
    return None


def test_every_url_is_https_well_formed_and_on_an_allowed_host() -> None:
    assert {url: _fault(url) for url in URLS if _fault(url)} == {}


def test_no_url_appears_twice_even_with_another_case_or_a_trailing_slash() -> None:
    keys = [url.lower().rstrip("/") for url in URLS]
    assert sorted({key for key in keys if keys.count(key) > 1}) == []


def test_every_allowed_host_is_used_so_the_list_does_not_rot() -> None:
    assert ALLOWED_HOSTS - {urlsplit(url).hostname for url in URLS} == set()


@pytest.mark.parametrize(
    ("url", "fault"),
    [
        ("http://docs.python.org/3/", "not https"),
        ("https://docs.python.example/3/", "host not on the allowlist"),
        ("https://user:pw@docs.python.org/3/", "credentials or port"),
        ("https://docs.python.org:8443/3/", "credentials or port"),
        ("https://docs.python.org/3/ tutorial", "whitespace"),
        ("https://docs.python.org/3/tutorial/", None),
    ],
)
def test_the_check_refuses_what_it_should(url: str, fault: str | None) -> None:
    assert _fault(url) == fault
