"""Request and response shapes of the partner API (they are the OpenAPI document)."""

from __future__ import annotations

from rest_framework import serializers

BATCH_ID = serializers.RegexField(
    r"^[A-Za-z0-9_.:-]{1,64}$",
    max_length=64,
    help_text="报送方的批次号（字母、数字、_ . : -，至多64位）；同一批次号重复报送只处理一次",
    error_messages={"invalid": "批次号只能包含字母、数字和 _ . : -，至多64位"},
)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="错误代码，如 unauthenticated、forbidden、invalid、throttled")
    message = serializers.CharField(help_text="中文说明")
    details = serializers.JSONField(required=False, help_text="字段错误明细")


class CertificateVerifyRequest(serializers.Serializer):
    number = serializers.CharField(max_length=30, help_text="第二代残疾人证号（20位，可带补发后缀）")


class CertificateVerifyResult(serializers.Serializer):
    valid = serializers.BooleanField(help_text="该证号在今天是否为有效证件")
    checked_on = serializers.DateField()
    category = serializers.IntegerField(required=False, allow_null=True, help_text="残疾类别（需 persons:detail）")
    level = serializers.IntegerField(required=False, allow_null=True, help_text="残疾等级（需 persons:detail）")
    valid_until = serializers.DateField(required=False, allow_null=True, help_text="有效期至（需 persons:detail）")


class EmploymentStatusRequest(serializers.Serializer):
    resident_id = serializers.CharField(max_length=30, help_text="18位身份证号")


class SISummary(serializers.Serializer):
    months_last_12 = serializers.IntegerField(help_text="近12个月有社保缴费的月数")
    as_of = serializers.DateTimeField(allow_null=True, help_text="社保数据的接收时间（新鲜度）")


class EmploymentStatusResult(serializers.Serializer):
    found = serializers.BooleanField(help_text="是否为本平台登记的残疾人")
    status = serializers.CharField(required=False, help_text="employed / wants_work / no_wish / unknown_wish 等")
    status_label = serializers.CharField(required=False)
    since = serializers.DateField(required=False, allow_null=True)
    social_insurance = SISummary(required=False)


class ReviewResultSerializer(serializers.Serializer):
    data_year = serializers.IntegerField()
    accepted_count = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True, coerce_to_string=True)
    staff_count = serializers.DecimalField(max_digits=18, decimal_places=4, coerce_to_string=True)
    required_count = serializers.DecimalField(max_digits=18, decimal_places=6, allow_null=True, coerce_to_string=True)
    levy_due = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, coerce_to_string=True)
    levy_paid = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True)
    late = serializers.BooleanField()
    certified_at = serializers.DateTimeField(allow_null=True)


class ReviewResultsResponse(serializers.Serializer):
    uscc = serializers.CharField()
    name = serializers.CharField()
    results = ReviewResultSerializer(many=True)


class SIRowIn(serializers.Serializer):
    resident_id = serializers.CharField(help_text="身份证号")
    month = serializers.CharField(help_text="缴费月份，如 2025-03")
    employer_uscc = serializers.CharField(help_text="缴费单位统一社会信用代码")
    base = serializers.CharField(required=False, allow_null=True, help_text="缴费基数（元）")
    amount = serializers.CharField(required=False, allow_null=True, help_text="缴费金额（元）")
    row_key = serializers.CharField(required=False, help_text="行标识（报送方唯一编号）")


class BusinessRowIn(serializers.Serializer):
    uscc = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField(required=False)
    licence_date = serializers.CharField(required=False, allow_null=True, help_text="成立日期")
    operator_id = serializers.CharField(required=False, allow_null=True, help_text="经营者身份证号（只存其密钥散列）")
    status = serializers.CharField(required=False, help_text="存续 / 注销")
    closed_on = serializers.CharField(required=False, allow_null=True)
    row_key = serializers.CharField(required=False)


class LevyRowIn(serializers.Serializer):
    uscc = serializers.CharField()
    data_year = serializers.IntegerField()
    amount = serializers.CharField(help_text="缴纳金额（元）")
    paid_on = serializers.CharField(help_text="缴纳日期")
    reference = serializers.CharField(required=False, help_text="电子缴税凭证号")
    row_key = serializers.CharField(required=False)


class MilitaryRowIn(serializers.Serializer):
    resident_id = serializers.CharField()
    number = serializers.CharField(help_text="残疾军人证号")
    military_level = serializers.IntegerField(help_text="伤残等级 1–10")
    issued_on = serializers.CharField(required=False, allow_null=True)
    valid_until = serializers.CharField(required=False, allow_null=True)
    row_key = serializers.CharField(required=False)


def push_request(row: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """The body of a push: a batch id and 1–5000 rows.  Rows are checked one by one by the feed's own
    parsers (a bad row is rejected with its reason, the others are stored), so they are typed here
    for the document only."""
    attrs = {
        "batch_id": BATCH_ID,
        "rows": serializers.ListField(
            child=serializers.DictField(), min_length=1, max_length=5000, help_text=f"数据行，字段见 {row.__name__}"
        ),
    }
    return type(name, (serializers.Serializer,), attrs)


SIPush = push_request(SIRowIn, "SIPush")
BusinessPush = push_request(BusinessRowIn, "BusinessPush")
LevyPush = push_request(LevyRowIn, "LevyPush")
MilitaryPush = push_request(MilitaryRowIn, "MilitaryPush")


class RejectionSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="推送时为行序号（从0起），文件导入时为表格行号")
    row_key = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class FeedBatchSerializer(serializers.Serializer):
    kind = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # the field is called source in the API
    batch_id = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.CharField()
    received_rows = serializers.IntegerField()
    created_rows = serializers.IntegerField()
    updated_rows = serializers.IntegerField()
    unchanged_rows = serializers.IntegerField()
    rejected_rows = serializers.IntegerField()
    received_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class FeedResultSerializer(FeedBatchSerializer):
    duplicate = serializers.BooleanField(help_text="该批次号此前已处理：本次未做任何改动，返回首次结果")
    rejections = RejectionSerializer(many=True)


class FeedFileUpload(serializers.Serializer):
    batch_id = BATCH_ID
    file = serializers.FileField(help_text="Excel（.xlsx）或CSV文件，表头同下载模板")


class PaymentSerializer(serializers.Serializer):
    programme = serializers.CharField(help_text="项目代码")
    programme_name = serializers.CharField()
    year = serializers.IntegerField()
    period = serializers.CharField(allow_blank=True, help_text="所属期")
    amount = serializers.CharField(help_text="金额（元）")
    status = serializers.CharField()
    paid_on = serializers.DateField(allow_null=True)
    batch = serializers.CharField(help_text="发放批次号")


class PersonPaymentsRequest(serializers.Serializer):
    resident_id = serializers.CharField(max_length=30, help_text="18位身份证号")


class PersonPaymentsResult(serializers.Serializer):
    found = serializers.BooleanField(help_text="是否为本平台登记的残疾人")
    payments = PaymentSerializer(many=True, required=False)


class EmployerPaymentsResult(serializers.Serializer):
    uscc = serializers.CharField()
    name = serializers.CharField()
    payments = PaymentSerializer(many=True)


class FeedBatchPage(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="下一页（游标）")
    previous = serializers.URLField(allow_null=True, help_text="上一页（游标）")
    results = FeedBatchSerializer(many=True)
