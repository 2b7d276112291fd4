"""JSON request bodies held to their declared types, with no coercion.

Litestar converts a decoded body into its struct in msgspec's lax mode, which takes ``0`` or ``"true"`` for a
boolean and ``"5"`` for an integer: values the OpenAPI document calls invalid. This ``before_request`` hook
decodes the raw body once more into the handler's body type in strict mode, before Litestar parses it, and
answers a coerced value with the same 422 (naming the field) as any other schema failure. A number with a
zero fraction (``1.0``) still counts as an integer, as JSON Schema counts it.
"""

from __future__ import annotations

from typing import Any

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
