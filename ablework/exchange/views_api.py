"""Endpoints of the partner API (``/api/v1/``).  Every call: key → client, scope, rate, audit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ablework.core.enums import AuditAction
from ablework.core.identifiers import IdentifierError, parse_disability_cert, parse_resident_id, parse_uscc
from ablework.employers import api as employers_api
from ablework.exchange import actions
from ablework.exchange import serializers as s
from ablework.exchange.api_base import ApiCursorPagination, PartnerAPIView, client_of
from ablework.exchange.enums import FEED_SCOPES, FeedKind, Scope
from ablework.exchange.models import FeedBatch
from ablework.people import api as people_api
from ablework.quota import api as quota_api
from ablework.subsidies import api as subsidies_api

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="请求参数不正确"),
    401: OpenApiResponse(s.ErrorSerializer, description="缺少或无效的接口密钥"),
    403: OpenApiResponse(s.ErrorSerializer, description="无此权限"),
    429: OpenApiResponse(s.ErrorSerializer, description="访问过于频繁"),
}
ERRORS_404 = ERRORS | {404: OpenApiResponse(s.ErrorSerializer, description="未找到")}

SLUGS = {
    "si": FeedKind.SI,
    "business-registrations": FeedKind.BUSINESS,
    "levy-payments": FeedKind.LEVY,
    "military-certificates": FeedKind.MILITARY,
}
KIND_PARAM = OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(SLUGS), description="数据类别")
USCC_PARAM = OpenApiParameter(
    "uscc", str, OpenApiParameter.PATH, pattern="^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    description="统一社会信用代码（18位）",
)  # fmt: skip
BATCH_PARAM = OpenApiParameter("batch_id", str, OpenApiParameter.PATH, pattern="^[A-Za-z0-9_.:-]{1,64}$")


def _validated(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    ser = serializer_class(data=request.data)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


def _person_of(data: dict[str, Any]) -> Any:
    """The registered person of ``data["resident_id"]`` (None: not registered); a malformed number is a 400."""
    try:
        rid = parse_resident_id(data["resident_id"])
    except IdentifierError as exc:
        raise exceptions.ValidationError({"resident_id": [str(exc)]}) from None
    return people_api.find_person_by_resident_id(rid.number)


def _person_subject(person: Any, label: str, purpose: str) -> dict[str, Any]:
    return {
        "object_type": "people.person",
        "object_id": person.pk,
        "label": label,
        "district_code": person.audit_district_code(),
        "purpose": purpose,
        "action": AuditAction.READ,
    }


class CertificateVerifyView(PartnerAPIView):
    scope = Scope.PERSONS_VERIFY
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="certificate_verify",
        summary="核验残疾人证",
        description="是否为今天有效的第二代残疾人证；具有 persons:detail 权限时另返回类别、等级、有效期。",
        request=s.CertificateVerifyRequest,
        responses={200: s.CertificateVerifyResult, **ERRORS},
        tags=["persons"],
    )
    def post(self, request: Request) -> Response:
        data = _validated(s.CertificateVerifyRequest, request)
        try:
            cert = parse_disability_cert(data["number"])
        except IdentifierError as exc:
            raise exceptions.ValidationError({"number": [str(exc)]}) from None
        today = timezone.localdate()
        person = people_api.find_person_by_certificate(cert.full_number)
        valid = False
        facts = None
        if person is not None:
            facts = people_api.person_facts(person, today)
            valid = (
                facts.cert_valid
                and facts.cert_kind == "cdpf"
                and facts.category == cert.category
                and facts.level == cert.level
            )
            request.audit_subject = _person_subject(  # type: ignore[attr-defined]
                person, f"接口核验残疾人证 {person.id_masked}", f"残疾人证核验：{client_of(request).name}"
            )
        body: dict[str, Any] = {"valid": valid, "checked_on": today}
        if client_of(request).has_scope(Scope.PERSONS_DETAIL):
            body |= {
                "category": facts.category if valid and facts else None,
                "level": facts.level if valid and facts else None,
                "valid_until": person.cert_valid_until if valid and person is not None else None,
            }
        return Response(body)


class EmploymentStatusView(PartnerAPIView):
    scope = Scope.PERSONS_EMPLOYMENT
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="person_employment_status",
        summary="查询残疾人就业状态",
        request=s.EmploymentStatusRequest,
        responses={200: s.EmploymentStatusResult, **ERRORS},
        tags=["persons"],
    )
    def post(self, request: Request) -> Response:
        data = _validated(s.EmploymentStatusRequest, request)
        person = _person_of(data)
        if person is None:
            return Response({"found": False})
        today = timezone.localdate()
        si = people_api.si_paid_months(person, start=(today.replace(day=1) - timedelta(days=335)), end=today)
        request.audit_subject = _person_subject(  # type: ignore[attr-defined]
            person, f"接口查询就业状态 {person.id_masked}", f"就业状态查询：{client_of(request).name}"
        )
        body = {
            "found": True,
            "status": person.status,
            "status_label": str(person.get_status_display()),
            "since": person.status_since,
            "social_insurance": {"months_last_12": len(si.months), "as_of": si.as_of},
        }
        return Response(body)


class AnnualReviewResultsView(PartnerAPIView):
    scope = Scope.QUOTA_RESULTS

    @extend_schema(
        operation_id="employer_annual_reviews",
        summary="用人单位按比例就业年审结果",
        description="已认定的各年度：认定安排人数（加权）、应安排人数、应缴和已缴保障金。",
        responses={200: s.ReviewResultsResponse, **ERRORS_404},
        parameters=[USCC_PARAM],
        tags=["employers"],
    )
    def get(self, request: Request, uscc: str) -> Response:
        try:
            code = parse_uscc(uscc).code
        except IdentifierError:
            raise exceptions.NotFound() from None
        employer = employers_api.find_employer_by_uscc(code)
        if employer is None:
            raise exceptions.NotFound()
        request.audit_subject = {  # type: ignore[attr-defined]
            "object_type": "employers.employer",
            "object_id": employer.pk,
            "label": f"接口查询年审结果 {employer.name}",
            "district_code": employer.audit_district_code(),
            "purpose": f"年审结果查询：{client_of(request).name}",
        }
        body = {"uscc": employer.uscc, "name": employer.name, "results": quota_api.review_results(employer)}
        return Response(s.ReviewResultsResponse(body).data)


class PersonPaymentsView(PartnerAPIView):
    scope = Scope.PAYMENTS_READ
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="person_payments",
        summary="残疾人享受的补贴与奖励发放记录",
        description="本人领取的，以及单位因安置本人而领取的各项目发放记录，新的在前。",
        request=s.PersonPaymentsRequest,
        responses={200: s.PersonPaymentsResult, **ERRORS},
        tags=["persons"],
    )
    def post(self, request: Request) -> Response:
        data = _validated(s.PersonPaymentsRequest, request)
        person = _person_of(data)
        if person is None:
            return Response({"found": False})
        request.audit_subject = _person_subject(  # type: ignore[attr-defined]
            person, f"接口查询补贴发放 {person.id_masked}", f"补贴发放查询：{client_of(request).name}"
        )
        return Response({"found": True, "payments": subsidies_api.payments_for(person=person)})


class EmployerPaymentsView(PartnerAPIView):
    scope = Scope.PAYMENTS_READ

    @extend_schema(
        operation_id="employer_payments",
        summary="用人单位领取的补贴与奖励发放记录",
        responses={200: s.EmployerPaymentsResult, **ERRORS_404},
        parameters=[USCC_PARAM],
        tags=["employers"],
    )
    def get(self, request: Request, uscc: str) -> Response:
        try:
            code = parse_uscc(uscc).code
        except IdentifierError:
            raise exceptions.NotFound() from None
        employer = employers_api.find_employer_by_uscc(code)
        if employer is None:
            raise exceptions.NotFound()
        request.audit_subject = {  # type: ignore[attr-defined]
            "object_type": "employers.employer",
            "object_id": employer.pk,
            "label": f"接口查询补贴发放 {employer.name}",
            "district_code": employer.audit_district_code(),
            "purpose": f"补贴发放查询：{client_of(request).name}",
        }
        body = {"uscc": employer.uscc, "name": employer.name, "payments": subsidies_api.payments_for(employer=employer)}
        return Response(body)


def _result(result: actions.FeedResult) -> dict[str, Any]:
    b = result.batch
    data = dict(s.FeedBatchSerializer(b).data)
    data["duplicate"] = result.duplicate
    data["rejections"] = [
        {"row": r.get("row"), "row_key": r.get("row_key", ""), "message": r.get("message", "")} for r in b.rejections
    ]
    return data


def _feed_push_view(kind: str, body: type[serializers.Serializer], summary: str) -> type[PartnerAPIView]:
    class FeedPushView(PartnerAPIView):
        scope = FEED_SCOPES[kind]
        parser_classes = [JSONParser]

        @extend_schema(
            operation_id=f"feed_push_{kind}",
            summary=summary,
            description="每批1至5000行；每行单独校验，有错误的行拒收并说明原因，其余行入库。"
            "同一批次号再次推送不做任何改动，返回首次处理结果（duplicate=true）。",
            request=body,
            responses={201: s.FeedResultSerializer, 200: s.FeedResultSerializer, **ERRORS},
            tags=["feeds"],
        )
        def post(self, request: Request) -> Response:
            data = _validated(body, request)
            try:
                result = actions.receive_feed(
                    client=client_of(request),
                    actor=request.user,
                    kind=kind,
                    batch_id=data["batch_id"],
                    rows=data["rows"],
                )
            except actions.ExchangeError as exc:
                raise exceptions.ValidationError({"rows": [str(exc)]}) from None
            return Response(_result(result), status=status.HTTP_200_OK if result.duplicate else status.HTTP_201_CREATED)

    FeedPushView.__name__ = f"FeedPush{kind.title()}View"
    return FeedPushView


SIPushView = _feed_push_view(FeedKind.SI, s.SIPush, "报送社保缴费数据（人社/医保）")
BusinessPushView = _feed_push_view(FeedKind.BUSINESS, s.BusinessPush, "报送市场主体登记数据（市场监管）")
LevyPushView = _feed_push_view(FeedKind.LEVY, s.LevyPush, "报送残疾人就业保障金缴纳数据（税务）")
MilitaryPushView = _feed_push_view(FeedKind.MILITARY, s.MilitaryPush, "报送残疾军人证数据（退役军人）")


class FeedFileView(PartnerAPIView):
    parser_classes = [MultiPartParser, FormParser]

    def required_scope(self, request: Request) -> str:
        kind = SLUGS.get(self.kwargs.get("kind", ""))
        return FEED_SCOPES[kind] if kind else ""

    @extend_schema(
        operation_id="feed_file_upload",
        summary="以文件报送数据（Excel/CSV）",
        description="kind：si、business-registrations、levy-payments、military-certificates。"
        "文件先整体检查（大小、编码、压缩炸弹、超长行），不合格则拒收且不做任何改动。",
        request={"multipart/form-data": s.FeedFileUpload},
        responses={201: s.FeedResultSerializer, 200: s.FeedResultSerializer, **ERRORS_404},
        parameters=[KIND_PARAM],
        tags=["feeds"],
    )
    def post(self, request: Request, kind: str) -> Response:
        feed = SLUGS.get(kind)
        if feed is None:
            raise exceptions.NotFound()
        data = _validated(s.FeedFileUpload, request)
        upload = data["file"]
        try:
            result = actions.receive_feed_file(
                kind=feed, source=client_of(request).department, batch_id=data["batch_id"], filename=upload.name or "file",
                data=upload.read(), actor=request.user, client=client_of(request),
            )  # fmt: skip
        except actions.ExchangeError as exc:
            raise exceptions.ValidationError({"file": [str(exc)]}) from None
        return Response(_result(result), status=status.HTTP_200_OK if result.duplicate else status.HTTP_201_CREATED)


class FeedBatchListView(PartnerAPIView):
    pagination_class = ApiCursorPagination

    @extend_schema(
        operation_id="feed_batches",
        summary="本单位报送的批次（游标分页）",
        responses={200: s.FeedBatchPage, **ERRORS},
        tags=["feeds"],
    )
    def get(self, request: Request) -> Response:
        qs = FeedBatch.objects.filter(client=client_of(request)).order_by("-id")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.FeedBatchSerializer(page, many=True).data)


class FeedBatchDetailView(PartnerAPIView):
    @extend_schema(
        operation_id="feed_batch_detail",
        summary="某一批次的处理结果与拒收明细",
        responses={200: s.FeedResultSerializer, **ERRORS_404},
        parameters=[KIND_PARAM, BATCH_PARAM],
        tags=["feeds"],
    )
    def get(self, request: Request, kind: str, batch_id: str) -> Response:
        feed = SLUGS.get(kind)
        batch = (
            FeedBatch.objects.filter(client=client_of(request), kind=feed, batch_id=batch_id).first() if feed else None
        )
        if batch is None:
            raise exceptions.NotFound()
        return Response(_result(actions.FeedResult(batch, duplicate=False)))


def today() -> date:
    return timezone.localdate()
