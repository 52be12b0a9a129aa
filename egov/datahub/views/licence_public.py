"""Electronic licences on the public face: the verification page anyone
reaches through the QR code, and the holder's own licences (page and PDF)."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.datahub import licence_queries as queries

T = "datahub/licences/"
DOWNLOAD_ACTION = "datahub.download_licence"


def verify(request, code):
    """有效 / 已过期 / 已注销 / 数据被篡改, or 未找到 (404) in the same page."""
    try:
        result = queries.verify(code)
    except Http404:
        return render(
            request,
            T + "verify.html",
            {"status": "not_found", "code": code},
            status=404,
        )
    return render(
        request,
        T + "verify.html",
        {"status": result.status, "licence": result.licence, "code": code},
    )


@login_required
def my_licences(request):
    return render(
        request, T + "my_list.html", {"licences": queries.licences_of(request.user)}
    )


@login_required
def my_licence(request, code):
    licence = queries.get_licence_for_holder(request.user, code)
    url = queries.qr_payload(licence, request)
    return render(
        request,
        T + "my_detail.html",
        {
            "licence": licence,
            "verify_url": url,
            "qr": queries.qr_svg_data_uri(url),
        },
    )


def licence_rows(licence) -> list[tuple[str, str]]:
    """The (label, value) rows a printed licence shows."""
    until = licence.valid_until.isoformat() if licence.valid_until else _("长期有效")
    rows = [
        (_("证照类型"), licence.licence_type),
        (_("证照编号"), licence.number),
        (_("持证主体"), licence.holder_name),
        (
            _("统一社会信用代码")
            if licence.holder_kind == licence.HolderKind.ENTITY
            else _("身份证号"),
            licence.holder_id,
        ),
        (_("事项名称"), licence.data.get("item_name", "")),
    ]
    rows += [(label, value) for label, value in licence.fields]
    rows += [
        (_("发证机关"), licence.issuer_name),
        (_("发证日期"), licence.valid_from.isoformat()),
        (_("有效期"), f"{licence.valid_from.isoformat()} — {until}"),
    ]
    return rows


@login_required
def my_licence_pdf(request, code):
    """The holder's printable licence with its QR code; it carries the full
    ID number, so each download is audited."""
    from egov.docgen.pdf import simple_pdf

    licence = queries.get_licence_for_holder(request.user, code)
    url = queries.qr_payload(licence, request)
    subtitle = "" if not licence.is_revoked else _("本证照已注销")
    pdf = simple_pdf(
        licence.licence_type,
        licence_rows(licence),
        qr_url=url,
        subtitle=subtitle,
        note=_("本电子证照由%(issuer)s签发，经SM2数字签名，扫描二维码可核验真伪。")
        % {"issuer": licence.issuer_name},
        qr_caption=_("扫码核验"),
    )
    with transaction.atomic():
        record(actor=request.user, action=DOWNLOAD_ACTION, target=licence)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{licence.number}.pdf"'
    return response
