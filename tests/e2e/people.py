"""What people do in the browser, step by step, for the journeys: sign in, sign up, screen."""

import re

from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from participants.instruments import SECTIONS
from participants.models import User
from participants.services.two_factor import TOTP_DEVICE_NAME
from tests.factories import TEST_PASSWORD, screening_answers

LINK = re.compile(r"https?://\S+")


class People:
    """Browser pages, each in a context of its own (each person has their own cookies); keeps
    the console errors (a Content-Security-Policy violation is one) of every page."""

    def __init__(self, browser: Browser):
        self.browser = browser
        self.contexts = []
        self.console_errors: list[str] = []

    def new_page(self, *, width: int = 1280) -> Page:
        context = self.browser.new_context(viewport={"width": width, "height": 900})
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        errors = self.console_errors
        page.on(
            "console",
            lambda message: (
                errors.append(f"{page.url}: {message.text}") if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def current_code(user: User) -> str:
    """The code the staff member's authenticator app shows now."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def staff_sign_in(page: Page, base_url: str, user: User) -> None:
    """Sign in with e-mail and password, then the code from the authenticator app."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    page.get_by_label("Code").fill(current_code(user))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name=re.compile(r"^Sign out"))).to_be_visible()
    assert "/accounts/" not in page.url


def participant_sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile(r"^Sign out"))).to_be_visible()


def links_in(message) -> list[str]:
    return LINK.findall(message.body)


def last_mail_to(email: str):
    messages = [message for message in mail.outbox if email in message.to]
    assert messages, f"no e-mail to {email}"
    return messages[-1]


def participant_sign_up(page: Page, base_url: str, *, first: str, last: str, email: str) -> None:
    """Create an account through the form and confirm the address from the e-mail's link."""
    page.goto(base_url + "/accounts/signup/")
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Date of birth").fill("1988-04-02")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Mobile phone").fill("(801) 555-0142")
    page.get_by_label(re.compile(r"Password\W*$")).fill(TEST_PASSWORD)
    page.get_by_label("Password again").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    verify = next(link for link in links_in(last_mail_to(email)) if "/accounts/verify/" in link)
    page.goto(verify)
    expect(page.get_by_text("your e-mail address is confirmed")).to_be_visible()
    participant_sign_in(page, base_url, email)


def section_answer(page: Page, section, answers: dict) -> None:
    """Give one screening section's ``answers`` on its page (text questions are left empty)."""
    for question in section.questions:
        value = answers.get(question.code)
        if value in (None, "") or question.kind == "text":
            continue
        group = page.locator(f"[name='{question.code}']")
        if not group.first.is_visible():
            continue  # a follow-up question the answers before it did not ask
        if question.kind == "int":
            group.fill(str(value))
        else:
            for choice in value if isinstance(value, list) else [value]:
                page.locator(f"[name='{question.code}'][value='{choice}']").check()


def screening_complete(page: Page, answers: dict | None = None) -> None:
    """From "My program": start the screening, answer every section, submit it."""
    answers = answers or screening_answers()
    page.get_by_role("button", name="Start the screening").click()
    page.get_by_role("link", name="Continue", exact=True).click()
    for section in SECTIONS:
        expect(page.get_by_role("heading", name=section.title, exact=True)).to_be_visible()
        section_answer(page, section, answers)
        page.get_by_role("button", name=re.compile(r"^Save and (continue|review)$")).click()
    page.get_by_role("button", name=re.compile(r"^Submit")).click()
