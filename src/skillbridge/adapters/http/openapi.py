"""Corrections to the OpenAPI document Litestar generates, so that it says what the API really does.

- Every route under the API prefix declares the problem+json error responses it can give
  (``operation_problems.py`` says which; Litestar only shows its own 400 body, which the exception handlers
  never send).
- An operation that takes ``Idempotency-Key`` documents the header, and its success responses
  ``Idempotent-Replayed``.
- A request body that refuses unknown fields says so (``additionalProperties: false``); Litestar leaves
  it open although msgspec answers 422 to any field outside the schema.
- An operation with rules no schema can state (``unstated_rules.py``) lists them in its description.
- A 201 answer links what it created (its ``id``) to the GET, PATCH and DELETE of it and its sub-resources,
  so clients and the stateful phase of schemathesis can follow it.
- A request body the handler defaults (``data: X | None = None``) is optional (Litestar calls every body
  required).
- The items of a list field keep their constraints (``list[Annotated[int, Meta(ge=0, le=167)]]``); Litestar
  drops them, although msgspec enforces them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

# Litestar's struct plugin is not public API; it is subclassed (not copied) so upgrades keep its behaviour.
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.enums import ParamType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    Link,
    OpenAPIHeader,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    RequestBody,
    Schema,
)
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute
from msgspec import inspect

from skillbridge.adapters.http.idempotency import HEADER, KEY_PATTERN, MAX_KEY_LENGTH, REPLAYED_HEADER
from skillbridge.adapters.http.operation_problems import OperationFacts, problem_statuses, takes_idempotency_key
from skillbridge.adapters.http.problems import API_PROBLEM_STATUSES, problem_responses
from skillbridge.adapters.http.unstated_rules import IDEMPOTENCY_KEY_RULE, UNSTATED_RULES, unstated_rules_text

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

# msgspec constraint attribute -> Litestar Schema attribute
_CONSTRAINTS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusive_minimum",
    "lt": "exclusive_maximum",
    "min_length": "min_length",
    "max_length": "max_length",
    "pattern": "pattern",
}


_FOLLOWED = ("GET", "PATCH", "DELETE")
_SUB_RESOURCE = re.compile(r"^/\{(\w+)\}(?:/[^{}]*)?$")


def _body_is_optional(handler: HTTPRouteHandler) -> bool:
    data = handler.parsed_fn_signature.parameters.get("data")
    return data is not None and data.has_default


def _pointer(path: str, method: str) -> str:
    """The JSON pointer of an operation in the document (RFC 6901: ``~`` then ``/`` escaped)."""
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method.lower()


def _names_an_item_of(parameter: str, collection: str) -> bool:
    """Whether ``parameter`` is the id of an item of ``collection`` (``post_id`` of ``/posts``, ``match_id`` of
    ``/matches``), which the created item's ``id`` fills; ``learner_id`` of ``/blocks`` is someone else's."""
    segment = collection.rsplit("/", 1)[-1]
    return parameter.removesuffix("_id") in {segment[:-1], segment[:-2]}


def _links_of_created(collection: str, routes: Iterable[tuple[str, str]]) -> dict[str, Link]:
    """Links from what a POST on ``collection`` created (its ``id``) to the GET, PATCH and DELETE of it and of
    its sub-resources (``/roadmaps`` -> ``/roadmaps/{roadmap_id}``, ``/roadmaps/{roadmap_id}/versions``)."""
    links: dict[str, Link] = {}
    for method, path in sorted(routes):
        match = _SUB_RESOURCE.match(path.removeprefix(collection)) if path.startswith(collection) else None
        if match is None or method not in _FOLLOWED or not _names_an_item_of(match.group(1), collection):
            continue
        name = f"{method.title()}{''.join(part.title() for part in re.split(r'[^A-Za-z0-9]+', path) if part)}"
        links[name] = Link(
            operation_ref=_pointer(path, method),
            parameters={match.group(1): "$response.body#/id"},
            description=f"{method} {path} of what this request created",
        )
    return links


_KEY_PARAMETER_TEXT = (
    f"Makes a retry safe: the same key with the same request within 24 hours gets the first answer again "
    f"(marked {REPLAYED_HEADER}: true), never a second run; the same key with another request gets 422 naming "
    f"{HEADER}; the same key while the first request still runs gets 409 with Retry-After. Keys are per user. "
    f"Use a new random value (a UUID) for each new request."
)
_REPLAYED_TEXT = f"true when this is the kept answer to an earlier request with the same {HEADER}"


def _idempotency_key_parameter() -> Parameter:
    return Parameter(
        name=HEADER,
        param_in=ParamType.HEADER,
        required=False,
        description=_KEY_PARAMETER_TEXT,
        schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=MAX_KEY_LENGTH, pattern=KEY_PATTERN),
    )


def _facts(operation: Operation, method: str, path: str, opt: dict[str, Any]) -> OperationFacts:
    parameters = [p for p in operation.parameters or () if isinstance(p, Parameter)]
    return OperationFacts(
        method=method,
        path=path,
        opt=opt,
        body=operation.request_body is not None,
        parameters=bool(parameters),
        required_parameters=any(p.required and p.param_in != ParamType.PATH for p in parameters),
        path_parameters=any(p.param_in == ParamType.PATH for p in parameters),
        guarded_by_version=any(p.param_in == ParamType.HEADER and p.name.lower() == "if-match" for p in parameters),
    )


def _document_idempotency(operation: Operation) -> None:
    if not any(isinstance(p, Parameter) and p.name == HEADER for p in operation.parameters or ()):
        operation.parameters = [*(operation.parameters or ()), _idempotency_key_parameter()]
    for status, response in (operation.responses or {}).items():
        if str(status).startswith("2") and isinstance(response, OpenAPIResponse):
            replayed = OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING, enum=["true"]), description=_REPLAYED_TEXT)
            response.headers = {**(response.headers or {}), REPLAYED_HEADER: replayed}
    sentence = unstated_rules_text(422, IDEMPOTENCY_KEY_RULE)
    if sentence not in (operation.description or ""):
        operation.description = f"{operation.description}\n\n{sentence}" if operation.description else sentence


def _operation_class(
    handler: HTTPRouteHandler, path: str, routes: set[tuple[str, str]], unclaimed: frozenset[int]
) -> type[Operation]:
    """An Operation that, when rendered, keeps the problem responses this operation can give (of ``unclaimed``,
    the defaults the handler did not declare itself), documents ``Idempotency-Key`` where it is taken, marks
    an optional body as such and links a created resource onward.

    ``routes`` fills while the app registers its routes; it is read only when the document is rendered."""
    optional_body = _body_is_optional(handler)
    creates = "POST" in handler.http_methods
    methods = sorted(handler.http_methods - {"OPTIONS", "HEAD"})
    opt = dict(handler.opt)

    class DocumentedOperation(Operation):
        def to_schema(self) -> dict[str, Any]:
            if optional_body and isinstance(self.request_body, RequestBody):
                self.request_body.required = False  # Litestar calls every body required
            facts = [_facts(self, method, path, opt) for method in methods]
            given = set().union(*(problem_statuses(fact) for fact in facts))
            for status in unclaimed - given:
                (self.responses or {}).pop(str(status), None)
            if any(takes_idempotency_key(fact) for fact in facts):
                _document_idempotency(self)
            created = (self.responses or {}).get("201")
            if creates and isinstance(created, OpenAPIResponse):
                links: dict[str, Link | Reference] = dict(_links_of_created(path, routes))
                created.links = links or None
            return super().to_schema()

    return DocumentedOperation


def _describe_unstated_rules(handler: HTTPRouteHandler, path: str) -> None:
    for method in handler.http_methods:
        rule = UNSTATED_RULES.get((method, path))
        if rule is None:
            continue
        sentence = unstated_rules_text(*rule)
        if sentence not in (handler.description or ""):
            handler.description = f"{handler.description}\n\n{sentence}" if handler.description else sentence


class ProblemResponsesPlugin(ReceiveRoutePlugin):
    """Declares the problem+json error responses each HTTP route under ``path_prefix`` can give (a response a
    route declares itself wins over these), and completes each operation's contract: the rules its schema
    cannot state in its description, an optional body marked optional, and a 201's links onward.
    """

    def __init__(self, path_prefix: str, statuses: tuple[int, ...] = API_PROBLEM_STATUSES) -> None:
        self._prefix = path_prefix.rstrip("/") + "/"
        self._statuses = frozenset(statuses)
        self._responses = problem_responses(*statuses)
        self._routes: set[tuple[str, str]] = set()

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(self._prefix):
            return
        for handler in route.route_handlers:
            if isinstance(handler, HTTPRouteHandler):
                own = handler.responses or {}
                handler.responses = {**self._responses, **own}
                self._routes.update((method, route.path_format) for method in handler.http_methods)
                unclaimed = self._statuses - set(own)
                handler.operation_class = _operation_class(handler, route.path_format, self._routes, unclaimed)
                _describe_unstated_rules(handler, route.path_format)


def _constraints(kind: inspect.Type) -> dict[str, Any]:
    """The constraints msgspec enforces on a scalar (or a list's length), as Litestar ``Schema`` attributes."""
    extra: dict[str, Any] = {}
    if isinstance(kind, inspect.Metadata):
        if kind.extra_json_schema and "description" in kind.extra_json_schema:
            extra["description"] = kind.extra_json_schema["description"]
        kind = kind.type
    if isinstance(kind, inspect.IntType | inspect.FloatType | inspect.StrType):
        for name, attribute in _CONSTRAINTS.items():
            value = getattr(kind, name, None)
            if value is not None:
                extra[attribute] = value
    return extra


def _arms(kind: inspect.Type) -> tuple[inspect.Type, ...]:
    return kind.types if isinstance(kind, inspect.UnionType) else (kind,)


def _array_schemas(schema: Any) -> list[Schema]:
    """The array schemas a property may be: itself, or the arms of its ``oneOf`` (an optional list)."""
    candidates = [schema, *(getattr(schema, "one_of", None) or [])]
    return [c for c in candidates if isinstance(c, Schema) and isinstance(c.items, Schema)]


def _fill(schema: Schema, constraints: dict[str, Any]) -> None:
    for attribute, value in constraints.items():
        if getattr(schema, attribute, None) is None:
            setattr(schema, attribute, value)


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    """Litestar's msgspec schema, made as strict as msgspec itself.

    Structs that forbid unknown fields are closed; list items keep their constraints; and a bound of 0 on an
    optional field is kept (Litestar tests bounds for truth, so ``ge=0`` vanished from the document).
    """

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = inspect.type_info(field_definition.type_)
        if not isinstance(info, inspect.StructType):
            return schema
        if info.forbid_unknown_fields:
            schema.additional_properties = False
        for field in info.fields:
            prop = (schema.properties or {}).get(field.encode_name)
            if not isinstance(prop, Schema):
                continue
            arms = _arms(field.type)
            scalars = [arm for arm in arms if _constraints(arm)]
            if len(scalars) == 1:
                _fill(prop, _constraints(scalars[0]))
            lists = [arm for arm in arms if isinstance(arm, inspect.ListType)]
            if lists:
                for array in _array_schemas(prop):
                    _fill(array.items, _constraints(lists[0].item_type))  # type: ignore[arg-type]
        return schema
