"""Loading a versioned prompt file and filling its placeholders."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from string import Template


class PromptNotFound(LookupError):
    """No prompt file of that version ships with the package."""


@dataclass(frozen=True, slots=True)
class Prompt:
    """One version of the roadmap prompt: the system message and the templates of the user messages."""

    version: str
    system: str
    user: Template
    correction: Template


def load_prompt(version: str) -> Prompt:
    """The prompt ``roadmap_<version>.toml``.

    Raises:
        PromptNotFound: there is no such file (a typo in ``SKILLBRIDGE_OPENAI_PROMPT_VERSION``).
    """
    if not version.isidentifier():
        raise PromptNotFound(f"not a prompt version: {version!r}")
    path = resources.files(__package__).joinpath(f"roadmap_{version}.toml")
    if not path.is_file():
        raise PromptNotFound(f"no prompt file for version {version!r}")
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    if document.get("version") != version:
        raise PromptNotFound(f"prompt file roadmap_{version}.toml declares version {document.get('version')!r}")
    return Prompt(
        version=version,
        system=document["system"].strip(),
        user=Template(document["user"].strip()),
        correction=Template(document["correction"].strip()),
    )
