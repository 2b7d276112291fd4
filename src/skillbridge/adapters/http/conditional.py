"""Low-bandwidth helpers of GET responses: ETags with ``If-None-Match`` (304) and ``?fields=`` projection.

Every GET of the roadmap API carries a strong ``ETag`` (a hash of the JSON body; for one roadmap also its
version, so ``If-Match`` can name the version a PATCH is based on) and ``Cache-Control: private, no-cache``
(a client or its browser may keep the body but must revalidate it, which costs one small request and, when
nothing changed, a body-less 304).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from typing import Any, TypeVar, cast

import msgspec
from litestar import MediaType, Request, Response
from litestar.params import QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_304_NOT_MODIFIED

from skillbridge.domain.errors import Conflict, InvalidInput
from skillbridge.domain.texts import N_

S = TypeVar("S", bound=msgspec.Struct)
T = TypeVar("T")

CACHE_CONTROL = "private, no-cache"
_ENCODER = msgspec.json.Encoder()
_VERSION_TAG = re.compile(r'^(?:W/)?"v(\d+)-[0-9a-f]+"$')


def entity_tag(body: bytes, version: int | None = None) -> str:
    """A strong ETag of ``body``; ``"v<version>-<hash>"`` when the resource has a version."""
    digest = hashlib.sha256(body).hexdigest()[:20]
    return f'"v{version}-{digest}"' if version is not None else f'"{digest}"'


def _tags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def not_modified(request: Request[Any, Any, Any], etag: str) -> bool:
    """Whether the request's ``If-None-Match`` names ``etag`` (weak comparison) or is ``*``."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = _tags(header)
    return "*" in tags or etag.removeprefix("W/") in tags


def conditional_response(
    request: Request[Any, Any, Any],
    content: T,
    *,
    version: int | None = None,
    status_code: int = HTTP_200_OK,
    headers: dict[str, str] | None = None,
) -> Response[T]:
    """``content`` with its ETag, or an empty 304 when the client already holds this representation.

    The JSON is encoded once, here, for the tag and the body alike (the app has no type encoders of its own,
    so msgspec's plain encoding is what Litestar would send)."""
    body = _ENCODER.encode(content)
    etag = entity_tag(body, version)
    all_headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, **(headers or {})}
    if status_code == HTTP_200_OK and not_modified(request, etag):
        return Response(content=cast(T, None), status_code=HTTP_304_NOT_MODIFIED, headers=all_headers)
    encoded = Response(content=body, status_code=status_code, headers=all_headers, media_type=MediaType.JSON)
    return cast(Response[T], encoded)


def expected_version(if_match: str | None, body_version: int | None) -> int | None:
    """The version a change is based on, from ``If-Match`` (an ETag of the roadmap) or the body.

    ``If-Match: *`` and no header mean "whatever is stored". Both given and disagreeing, or an ETag that
    names no version of ours, is a Conflict: the client's copy is not the stored one.
    """
    if not if_match or if_match.strip() == "*":
        return body_version
    versions = set()
    for tag in _tags(if_match):
        match = _VERSION_TAG.match(tag)
        if match is None:
            raise Conflict(
                N_("If-Match does not name a version of this resource; reload and try again"), field="version"
            )
        versions.add(int(match.group(1)))
    if len(versions) != 1 or (body_version is not None and body_version not in versions):
        raise Conflict(N_("If-Match and version name different versions"), field="version")
    return versions.pop()


def fields_pattern(allowed: Collection[str]) -> str:
    """The regular expression a ``?fields=`` value of ``allowed`` names matches: a comma-separated list of them,
    blanks around a name and empty entries allowed (the parser skips them), so the document states the rule."""
    name = "(?:" + "|".join(re.escape(field) for field in sorted(allowed)) + ")"
    return rf"^\s*{name}?\s*(?:,\s*{name}?\s*)*$"


def fields_query(allowed: Collection[str]) -> Any:
    """The metadata of an optional ``?fields=`` query parameter (``Annotated[str | None, fields_query(...)]``)
    naming fields among ``allowed``: the names are stated in the document as a pattern."""
    return QueryParameter(
        max_length=300,
        # Stated in the document only: parse_fields enforces the same rule with a better answer (the names).
        schema_extra={"pattern": fields_pattern(allowed)},
        description="comma-separated fields to return for each item (the identifying field always comes); "
        f"saves bandwidth, e.g. fields={','.join(sorted(allowed)[:2])}. Names: {', '.join(sorted(allowed))}",
    )


def parse_fields(raw: str | None, allowed: Collection[str]) -> frozenset[str] | None:
    """The field names a ``?fields=a,b`` parameter asks for, or None for all.

    Raises:
        InvalidInput: (field ``fields``, ``allowed`` the valid names) an unknown name.
    """
    if raw is None or not raw.strip():
        return None
    names = frozenset(name.strip() for name in raw.split(",") if name.strip())
    unknown = sorted(names - set(allowed))
    if unknown:
        raise InvalidInput(
            N_("unknown field {name}; choose from {choices}"),
            field="fields",
            allowed=sorted(allowed),
            params={"name": repr(unknown[0]), "choices": ", ".join(sorted(allowed))},
        )
    return names


def project(item: S, fields: frozenset[str] | None, always: Iterable[str] = ()) -> S:
    """``item`` with every field outside ``fields`` (and ``always``) unset, so it is left out of the JSON."""
    if fields is None:
        return item
    keep = fields | frozenset(always)
    dropped = {name: msgspec.UNSET for name in item.__struct_fields__ if name not in keep}
    return msgspec.structs.replace(item, **dropped)
