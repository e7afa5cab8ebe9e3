from django.contrib.auth import views as auth_views
from django.urls import path

from participants import language
from participants.views import accounts as views
from participants.views import data, failed_messages, program, review, sms
from participants.views import security as security_views

app_name = "participants"

urlpatterns = [
    path("language/", language.language_set, name="language"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/done/", views.signup_done, name="signup_done"),
    path("accounts/verify/resend/", views.resend_verification, name="resend_verification"),
    path("accounts/verify/<str:token>/", views.verify_email, name="verify_email"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/profile/", views.profile, name="profile"),
    # The participant's program.
    path("me/", program.me, name="me"),
    path("me/screening/start/", program.screening_start, name="screening_start"),
    path("me/screening/<uuid:public_id>/", program.screening_detail, name="screening_detail"),
    path(
        "me/screening/<uuid:public_id>/section/<slug:slug>/",
        program.screening_section,
        name="screening_section",
    ),
    path(
        "me/screening/<uuid:public_id>/support/",
        program.screening_support,
        name="screening_support",
    ),
    path(
        "me/screening/<uuid:public_id>/submit/", program.screening_submit, name="screening_submit"
    ),
    path("me/consent/", program.consent_sign, name="consent_sign"),
    path("me/data/", data.my_data, name="my_data"),
    path("me/data/my-data.json", data.my_data_json, name="my_data_json"),
    path("me/data/document/", data.my_data_document, name="my_data_document"),
    # Staff: review, safety alerts, flag rules.
    path("staff/screenings/", review.review_queue, name="review_queue"),
    path("staff/screenings/<uuid:public_id>/", review.review_detail, name="review_detail"),
    path(
        "staff/screenings/<uuid:public_id>/interpreter/<slug:instrument>/",
        review.review_interpreter,
        name="review_interpreter",
    ),
    path("staff/alerts/", review.alert_list, name="alert_list"),
    path("staff/alerts/<uuid:public_id>/", review.alert_detail, name="alert_detail"),
    path(
        "staff/alerts/<uuid:public_id>/acknowledge/",
        review.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("staff/flag-rules/", review.flag_rule_list, name="flag_rule_list"),
    path("staff/flag-rules/new/", review.flag_rule_edit, name="flag_rule_create"),
    path("staff/flag-rules/<int:pk>/", review.flag_rule_edit, name="flag_rule_edit"),
    path("accounts/two-factor/setup/", security_views.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/", security_views.two_factor_verify, name="two_factor_verify"),
    path("accounts/keepalive/", security_views.keepalive, name="keepalive"),
    # The SMS provider's webhook: a STOP reply turns a participant's texts off.
    path("sms/inbound/", sms.inbound, name="sms_inbound"),
    path("staff/messages/failed/", failed_messages.failed_list, name="staff_failed_messages"),
    path(
        "staff/messages/failed/retry/",
        failed_messages.failed_retry,
        name="staff_failed_messages_retry",
    ),
]
