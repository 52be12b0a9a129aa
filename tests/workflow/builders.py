"""Small builders for BPMN test diagrams, so each test states its process in a
few lines instead of a page of XML."""

from xml.sax.saxutils import escape, quoteattr

from egov.workflow.bpmn import EGOV_NS

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    f'xmlns:egov="{EGOV_NS}" id="Definitions_1" '
    'targetNamespace="http://bpmn.io/schema/bpmn">\n'
)


def _attrs(values: dict) -> str:
    return "".join(
        f" {k}={quoteattr(str(v))}" for k, v in values.items() if v is not None
    )


def start(node_id="start", form=None):
    ext = ""
    if form:
        ext = f"<bpmn:extensionElements>{_form(form)}</bpmn:extensionElements>"
    return f'<bpmn:startEvent id="{node_id}">{ext}</bpmn:startEvent>'


def end(node_id="end", terminate=False):
    inner = "<bpmn:terminateEventDefinition/>" if terminate else ""
    return f'<bpmn:endEvent id="{node_id}">{inner}</bpmn:endEvent>'


def _form(form):
    fields = "".join(
        f'<egov:field name="{name}" mode="{mode}"/>'
        for name, mode in form.get("fields", {}).items()
    )
    attrs = _attrs({"key": form["key"], "version": form.get("version")})
    return f"<egov:form{attrs}>{fields}</egov:form>"


def user(
    node_id,
    name=None,
    *,
    assignment=None,
    multi=None,
    vote=None,
    completion=None,
    limit=None,
    form=None,
    operations=None,
):
    """A user task; `assignment` is the egov:assignment attributes."""
    ext = ""
    if assignment is not None:
        ext += f"<egov:assignment{_attrs(assignment)}/>"
    if limit is not None:
        amount, unit = limit
        ext += f'<egov:timeLimit amount="{amount}" unit="{unit}"/>'
    if form is not None:
        ext += _form(form)
    if operations is not None:
        ext += f'<egov:operations allowed="{operations}"/>'
    if vote is not None:
        ext += f"<egov:vote{_attrs(vote)}/>"
    body = f"<bpmn:extensionElements>{ext}</bpmn:extensionElements>" if ext else ""
    if multi:
        sequential = ' isSequential="true"' if multi == "sequential" else ""
        inner = ""
        if completion:
            inner = (
                "<bpmn:completionCondition>"
                f"{escape(completion)}</bpmn:completionCondition>"
            )
        body += (
            f"<bpmn:multiInstanceLoopCharacteristics{sequential}>{inner}"
            "</bpmn:multiInstanceLoopCharacteristics>"
        )
    return (
        f"<bpmn:userTask{_attrs({'id': node_id, 'name': name})}>{body}</bpmn:userTask>"
    )


def service(node_id, handler, name=None):
    return (
        f"<bpmn:serviceTask{_attrs({'id': node_id, 'name': name})} "
        f'egov:handler="{handler}"/>'
    )


def xor(node_id, default=None):
    return f"<bpmn:exclusiveGateway{_attrs({'id': node_id, 'default': default})}/>"


def parallel(node_id):
    return f'<bpmn:parallelGateway id="{node_id}"/>'


def inclusive(node_id, default=None):
    return f"<bpmn:inclusiveGateway{_attrs({'id': node_id, 'default': default})}/>"


def call(node_id, called, name=None):
    attrs = _attrs({"id": node_id, "name": name, "calledElement": called})
    return f"<bpmn:callActivity{attrs}/>"


def boundary_timer(node_id, attached, duration, cancel=True):
    return (
        f'<bpmn:boundaryEvent id="{node_id}" attachedToRef="{attached}" '
        f'cancelActivity="{"true" if cancel else "false"}">'
        "<bpmn:timerEventDefinition>"
        f"<bpmn:timeDuration>{duration}</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    )


def catch_message(node_id, message_id):
    return (
        f'<bpmn:intermediateCatchEvent id="{node_id}">'
        f'<bpmn:messageEventDefinition messageRef="{message_id}"/>'
        "</bpmn:intermediateCatchEvent>"
    )


def flow(source, target, condition=None, flow_id=None):
    flow_id = flow_id or f"f_{source}_{target}"
    body = ""
    if condition is not None:
        body = (
            f"<bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression>"
        )
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" '
        f'targetRef="{target}">{body}</bpmn:sequenceFlow>'
    )


def process(process_id, elements, name=None):
    body = "\n".join(elements)
    attrs = _attrs({"id": process_id, "name": name or process_id})
    return f'<bpmn:process{attrs} isExecutable="true">\n{body}\n</bpmn:process>'


def definitions(*processes, messages=()):
    parts = [f'<bpmn:message id="{mid}" name="{name}"/>' for mid, name in messages]
    return HEADER + "\n".join([*processes, *parts]) + "\n</bpmn:definitions>"


def chain(process_id, *nodes, name=None, end_id="end"):
    """start → nodes… → end, each node given as XML with its id first."""
    elements = [start(), *nodes, end(end_id)]
    ids = ["start", *[_id_of(n) for n in nodes], end_id]
    flows = [flow(a, b) for a, b in zip(ids, ids[1:], strict=False)]
    return definitions(process(process_id, elements + flows, name=name))


def _id_of(xml: str) -> str:
    marker = 'id="'
    start_at = xml.index(marker) + len(marker)
    return xml[start_at : xml.index('"', start_at)]
