"""Forms of the subsidy pages.  The programme-specific fields are one form per kind; the data they
collect is validated again (and normalised) by ``actions._validate_data``."""

from __future__ import annotations

from typing import Any

from django import forms

from ablework.subsidies.enums import ProgrammeKind

DATE = forms.DateInput(attrs={"type": "date"})


class ProgrammeForm(forms.Form):
    kind = forms.ChoiceField(label="项目类型", choices=ProgrammeKind.choices)
    year = forms.IntegerField(label="年度", min_value=2020, max_value=2100)
    budget = forms.DecimalField(label="年度预算（元）", min_value=0, max_digits=14, decimal_places=2)
    window_start = forms.DateField(label="受理开始", widget=DATE)
    window_end = forms.DateField(label="受理截止", widget=DATE)
    notice_days = forms.IntegerField(label="公示天数（工作日）", min_value=1, max_value=30, initial=5)


class BudgetForm(forms.Form):
    budget = forms.DecimalField(label="年度预算（元）", min_value=0, max_digits=14, decimal_places=2)


class ApplicantForm(forms.Form):
    """Who applies, when an officer enters an application on the applicant's behalf."""

    uscc = forms.CharField(label="用人单位统一社会信用代码", max_length=18, required=False)
    person_number = forms.CharField(label="残疾人证号或身份证号", max_length=22, required=False)
    institution_id = forms.IntegerField(label="辅助性就业机构编号", required=False, min_value=1)


class BankForm(forms.Form):
    bank_name = forms.CharField(label="开户行", max_length=100, required=False)
    bank_account = forms.CharField(label="银行账号", max_length=34, required=False, help_text="只显示前4位和后4位")


class NewHireForm(forms.Form):
    contract_start = forms.DateField(label="劳动合同开始日期", widget=DATE)
    contract_end = forms.DateField(
        label="劳动合同结束日期", widget=DATE, required=False, help_text="无固定期限合同不填"
    )
    monthly_wage = forms.DecimalField(label="月工资（元）", min_value=0, max_digits=10, decimal_places=2)
    contract_year = forms.TypedChoiceField(label="申请第几个合同年度", coerce=int,
                                           choices=[(1, "第1年"), (2, "第2年"), (3, "第3年")])  # fmt: skip
    graduate = forms.BooleanField(label="应届高校毕业生", required=False)


class InternshipForm(forms.Form):
    start = forms.DateField(label="见习开始日期", widget=DATE)
    end = forms.DateField(label="见习结束日期", widget=DATE)
    monthly_allowance = forms.DecimalField(label="每月见习生活补助（元）", min_value=0, max_digits=10, decimal_places=2)
    graduated_on = forms.DateField(label="毕业日期", widget=DATE, required=False)
    accident_insurance = forms.BooleanField(label="已办理人身意外伤害保险", required=False)
    retained = forms.BooleanField(label="见习期满留用", required=False)


class NewBusinessForm(forms.Form):
    uscc = forms.CharField(label="个体工商户统一社会信用代码", max_length=18)
    licence_date = forms.DateField(label="营业执照登记日期", widget=DATE, required=False,
                                   help_text="无市场监管共享数据时按营业执照填写")  # fmt: skip
    operator_confirmed = forms.BooleanField(label="经营者为持证人本人（经办人已核对营业执照）", required=False)


class SelfEmploymentForm(forms.Form):
    started_on = forms.DateField(label="开始经营日期", widget=DATE)
    business_name = forms.CharField(label="经营项目或字号", max_length=100, required=False)


class RewardForm(forms.Form):
    centralised = forms.BooleanField(label="集中安置残疾人就业单位", required=False)


class EmptyForm(forms.Form):
    pass


DATA_FORMS: dict[str, type[forms.Form]] = {
    ProgrammeKind.OVER_QUOTA_REWARD: RewardForm,
    ProgrammeKind.NEW_HIRE: NewHireForm,
    ProgrammeKind.INTERNSHIP: InternshipForm,
    ProgrammeKind.NEW_BUSINESS: NewBusinessForm,
    ProgrammeKind.SELF_EMPLOYMENT: SelfEmploymentForm,
    ProgrammeKind.ASSISTED_GRANT: EmptyForm,
}


def form_data(form: forms.Form) -> dict[str, Any]:
    """Cleaned data as JSON-friendly values (dates ISO, decimals as strings)."""
    out: dict[str, Any] = {}
    for key, value in form.cleaned_data.items():
        if hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        elif value is None or isinstance(value, bool | int | str):
            out[key] = value
        else:
            out[key] = str(value)
    return out


class AttachmentForm(forms.Form):
    doc_type = forms.ChoiceField(label="材料类型")
    file = forms.FileField(label="文件", help_text="PDF、JPG或PNG，不超过10MB")

    def __init__(self, *args: Any, documents: list[dict[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["doc_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(d["code"], d["label"]) for d in documents] + [("other", "其他材料")]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核决定", choices=[("approve", "通过"), ("return", "退回修改"), ("reject", "不予通过")]
    )
    note = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="退回或不予通过时必须填写")  # fmt: skip
    stage = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ObjectionForm(forms.Form):
    raised_by = forms.CharField(label="您的姓名", max_length=60)
    contact = forms.CharField(label="联系电话", max_length=60, required=False)
    text = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 4}), min_length=5,
                           help_text="请写明事实和理由")  # fmt: skip


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(label="处理结果", coerce=lambda v: v == "1",
                                    choices=[("0", "异议不成立"), ("1", "异议成立（撤销该笔补贴）")])  # fmt: skip
    resolution = forms.CharField(label="处理意见", widget=forms.Textarea(attrs={"rows": 3}))


class ClawbackForm(forms.Form):
    amount = forms.DecimalField(label="追回金额（元）", min_value=0, max_digits=14, decimal_places=2)
    reason = forms.CharField(label="追回原因", max_length=300)


class BankReturnForm(forms.Form):
    file = forms.FileField(
        label="银行回盘文件", help_text="CSV或Excel，列：明细号、结果（成功/失败）、失败原因、银行流水号、发放日期"
    )
