"""JSON request bodies, and query parameters, held to their declared types, with no coercion.

Litestar converts a decoded body into its struct in msgspec's lax mode, which takes ``0`` or ``"true"`` for a
boolean and ``"5"`` for an integer: values the OpenAPI document calls invalid. This ``before_request`` hook
decodes the raw body once more into the handler's body type in strict mode, before Litestar parses it, and
answers a coerced value with the same 422 (naming the field) as any other schema failure. A number with a
zero fraction (``1.0``) still counts as an integer, as JSON Schema counts it.

Litestar also takes a query parameter given twice (``?min_hours=1&min_hours=9``) for one declared as a single
value, keeping one of them silently; the document says one value, so a repeated one is a 422 naming it.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler


def body_type(handler: Any) -> Any | None:
    """The msgspec struct (or list of structs) a handler's ``data`` parameter is decoded into, if any."""
    if not isinstance(handler, HTTPRouteHandler):
        return None
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return None
    kind = data.annotation
    inner = data.inner_types[0].annotation if data.is_non_string_sequence and data.inner_types else kind
    return kind if isinstance(inner, type) and issubclass(inner, msgspec.Struct) else None


#: msgspec's word for each scalar type (its "expected ..., got ..." failures are translated as such).
_SCALAR_WORDS: dict[Any, str] = {bool: "bool", int: "int", float: "float", str: "str"}
#: Per handler function and paths: its query parameters that take one value, by the name they are sent under, and
#: that value's word. Keyed weakly by the function (route handlers take no weak reference): a process that builds
#: many apps (the tests) must neither keep their handlers alive nor, keyed by ``id()``, hand a freed handler's
#: entry to a new one.
_SINGLE_VALUED: WeakKeyDictionary[Any, dict[tuple[str, ...], dict[str, str]]] = WeakKeyDictionary()


def single_valued_query(handler: HTTPRouteHandler) -> dict[str, str]:
    """The query parameters of ``handler`` declared as one value (not a list), by name sent: msgspec's word
    for the value's type (``str`` for anything not a plain scalar: a UUID or a date travels as a string)."""
    by_paths = _SINGLE_VALUED.setdefault(handler.fn, {})
    paths = tuple(sorted(handler.paths))
    known = by_paths.get(paths)
    if known is not None:
        return known
    path = _path_parameters(handler)
    found: dict[str, str] = {}
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwarg = field.kwarg_definition
        if name in path or name in {"data", "request", "self"} or field.is_non_string_sequence:
            continue
        if kwarg is not None and (getattr(kwarg, "header", None) or getattr(kwarg, "cookie", None)):
            continue
        if kwarg is not None and not hasattr(kwarg, "query"):
            continue  # a dependency, not a parameter
        sent = (getattr(kwarg, "query", None) if kwarg is not None else None) or name
        scalar = next((arm.annotation for arm in (field, *field.inner_types) if arm.annotation in _SCALAR_WORDS), str)
        found[sent] = _SCALAR_WORDS.get(scalar, "str")
    by_paths[paths] = found
    return found


def _path_parameters(handler: HTTPRouteHandler) -> set[str]:
    return {
        part.strip("{}").split(":")[0] for path in handler.paths for part in path.split("/") if part.startswith("{")
    }


def refuse_repeated_query(request: Request[Any, Any, Any]) -> None:
    """422 when a query parameter declared as one value is given more than once."""
    if (
        not request.scope.get("query_string")
        or request.method == "OPTIONS"  # Litestar's own answer, which reads no query parameter
        or not isinstance(request.route_handler, HTTPRouteHandler)
    ):
        return
    params = request.query_params
    for name, word in single_valued_query(request.route_handler).items():
        if len(params.getall(name, [])) > 1:
            raise ValidationException(
                detail="Validation failed",
                extra=[{"message": f"Expected `{word}`, got `array`", "key": name, "source": "query"}],
            )


async def refuse_lax_input(request: Request[Any, Any, Any]) -> None:
    """``before_request`` hook: :func:`refuse_repeated_query`, then :func:`refuse_coerced_body`."""
    refuse_repeated_query(request)
    await refuse_coerced_body(request)


async def refuse_coerced_body(request: Request[Any, Any, Any]) -> None:
    """``before_request`` hook: 422 when the JSON body only fits its type by coercion (``low_bandwidth: 0``)."""
    kind = body_type(request.route_handler)
    if kind is None:
        return
    raw = await request.body()
    if not raw.strip():
        return
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return  # not JSON at all: Litestar's own parse answers 400, as before
    try:
        msgspec.convert(_integral_floats_as_ints(value), kind, strict=True)
    except msgspec.ValidationError as error:
        # The same shape Litestar gives its own failures, so the one handler words both alike.
        raise ValidationException(
            detail="Validation failed", extra=[{"message": str(error), "key": "data", "source": "body"}]
        ) from error


def _integral_floats_as_ints(value: Any) -> Any:
    """``value`` with every whole float (``3.0``) an int: JSON Schema's ``integer`` includes them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    return value
