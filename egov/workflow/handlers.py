"""Service tasks call Python handlers registered here, never user-written code.

A diagram binds a service task to a handler by name (``egov:handler="..."`` or
``<egov:handler name="..."/>``); deploying refuses names that are not
registered. An app registers its handlers when it is imported::

    from egov.workflow.handlers import register

    @register("servicehall.issue_licence", label=_("签发电子证照"))
    def issue_licence(context):
        ...
        return {"licence_no": number}   # merged into the process data

The handler runs inside the transaction of the operation that reached the
service task; raising ActionError refuses that operation as a whole.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class HandlerContext:
    """What a handler may read: the instance, the node, and a copy of the data."""

    instance: object
    node_id: str
    data: dict
    actor: object = None


@dataclass(frozen=True)
class Handler:
    name: str
    label: str
    fn: Callable[[HandlerContext], dict | None]


_registry: dict[str, Handler] = {}


def register(name: str, *, label=None):
    """Register `fn(context) -> dict | None` under `name` (app.verb_noun style)."""

    def decorate(fn):
        if name in _registry and _registry[name].fn is not fn:
            raise ValueError(f"workflow handler {name!r} is already registered")
        _registry[name] = Handler(name=name, label=label or name, fn=fn)
        return fn

    return decorate


def unregister(name: str) -> None:
    _registry.pop(name, None)


def get_handler(name: str) -> Handler | None:
    return _registry.get(name)


def registered_handlers() -> list[Handler]:
    return sorted(_registry.values(), key=lambda h: h.name)


@register("workflow.noop", label=_("空操作（流程测试用）"))
def _noop(context: HandlerContext):
    return None
