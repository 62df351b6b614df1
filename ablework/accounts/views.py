from __future__ import annotations

from typing import cast

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ablework.accounts import actions
from ablework.accounts.forms import LoginForm, TokenForm
from ablework.accounts.models import User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/profile.html",
        {"has_totp": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp(request: HttpRequest) -> HttpResponse:
    """Set up (first time) or verify the TOTP second factor."""
    user = cast(User, request.user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="验证器", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if setting_up:
                actions.confirm_totp_device(device, actor=user)
            otp_login(request, device)
            messages.success(request, "双因素认证已通过。")
            return redirect("reports:dashboard")
        form.add_error("token", "验证码不正确或已过期，请重试")
    qr_svg = segno.make(device.config_url, error="m").svg_data_uri(scale=4) if setting_up else ""
    return render(
        request,
        "accounts/otp.html",
        {
            "form": form,
            "setting_up": setting_up,
            "qr_svg": qr_svg,
            "secret": device.bin_key.hex() if setting_up else "",
        },
    )
