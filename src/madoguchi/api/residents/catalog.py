"""The catalog: municipalities and their procedures. Public, cacheable (ETag), paged."""

from __future__ import annotations

from ninja import Query

from madoguchi.api.http import PageQuery, paginate, public_response
from madoguchi.api.openapi import IF_NONE_MATCH_PARAMETER, declare
from madoguchi.api.residents import presenters
from madoguchi.api.residents.router import router
from madoguchi.api.residents.schemas import MunicipalityOut, ProcedureDetailOut, ProcedureSummaryOut
from madoguchi.api.schemas import CategoryEnum
from madoguchi.procedures.selectors import procedure_get, procedure_list
from madoguchi.tenants.selectors import municipality_get, municipality_list

LIST_HEADERS = {200: ["ETag", "Link"], 304: ["ETag"]}
CODE_DESCRIPTION = "全国地方公共団体コード (6 digits with the check digit), e.g. 082015."


@router.get(
    "/municipalities",
    operation_id="listMunicipalities",
    summary="List municipalities",
    tags=["catalog"],
    **declare(
        {200: list[MunicipalityOut], 304: None}, [400], headers=LIST_HEADERS, parameters=[IF_NONE_MATCH_PARAMETER]
    ),
)
def municipalities(request, page: Query[PageQuery]):
    """List the municipalities served by this platform."""
    chosen = paginate(request, municipality_list(), page)
    return public_response(request, [presenters.municipality_out(m) for m in chosen.items], link=chosen.link)


@router.get(
    "/municipalities/{code}/procedures",
    operation_id="listProcedures",
    summary="List a municipality's procedures",
    tags=["catalog"],
    **declare(
        {200: list[ProcedureSummaryOut], 304: None},
        [400, 404],
        headers=LIST_HEADERS,
        parameters=[IF_NONE_MATCH_PARAMETER],
    ),
)
def procedures(request, code: str, page: Query[PageQuery], q: str = "", category: CategoryEnum | None = None):
    """List a municipality's procedures, optionally searched (``q``: width, case and kana folded) or by category."""
    municipality = municipality_get(code=code)
    found = procedure_list(municipality=municipality, query=q, category=category.value if category else "")
    chosen = paginate(request, found, page)
    return public_response(
        request, [presenters.procedure_summary_out(p, municipality) for p in chosen.items], link=chosen.link
    )


@router.get(
    "/municipalities/{code}/procedures/{slug}",
    operation_id="getProcedure",
    summary="Get a procedure with its answers schema and a valid example",
    tags=["catalog"],
    **declare(
        {200: ProcedureDetailOut, 304: None},
        [404],
        headers={200: ["ETag"], 304: ["ETag"]},
        parameters=[IF_NONE_MATCH_PARAMETER],
    ),
)
def procedure_detail(request, code: str, slug: str):
    """Return a procedure's definition, its answers' JSON Schema and an example that is a valid submission.

    ``example.files`` are the attachments the example needs (base64): send the example as
    multipart with one part per file.
    """
    municipality = municipality_get(code=code)
    return public_response(
        request, presenters.procedure_detail_out(procedure_get(municipality=municipality, slug=slug), municipality)
    )
