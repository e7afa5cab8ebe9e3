"""The SQL of one contended enrollment attempt, captured from the service and turned into the
pgbench script of the reference: the same statements in the same transactions, branching after
each count of the seats as the service does."""

import datetime
import re
from dataclasses import dataclass

from bench.data import sessions_create
from bench.people import participants_create
from bench.pgbench import Step, gset, same_shape, sql_capture, templated
from participants.models import User
from sessions_app.models import GroupSession
from sessions_app.services.enrollment import EnrollmentRefused, enrollment_create

SCRIPT_SHOWN_CHARS = 400


def sessions_as_the_view_reads_them(session_ids: list[int]) -> list:
    """The sessions as the enroll view hands them to the service (with their type and room)."""
    by_id = GroupSession.objects.select_related("session_type", "room").in_bulk(session_ids)
    return [by_id[pk] for pk in session_ids]


@dataclass(frozen=True)
class CapturedAttempt:
    """What the service sent for one seat taken and, on the same session, one refused as full."""

    enrolled: list[Step]
    refused: list[Step]


def _capture_once(participant_ids: list[int], session_id: int) -> CapturedAttempt:
    (session,) = sessions_as_the_view_reads_them([session_id])
    first, second = (User.objects.get(pk=pk) for pk in participant_ids)
    with sql_capture() as enrolled:
        enrollment = enrollment_create(participant=first, session=session)
    (session,) = sessions_as_the_view_reads_them([session_id])  # the next request
    with sql_capture() as refused:
        try:
            enrollment_create(participant=second, session=session)
        except EnrollmentRefused as refusal:
            if not refusal.offers_waitlist:
                raise
        else:
            raise RuntimeError("The capture's second attempt took a seat in a one-seat session.")
    return CapturedAttempt(
        enrolled=templated(
            enrolled,
            {"participant": first.pk, "session": session_id, "enrollment_id": enrollment.pk},
        ),
        refused=templated(refused, {"participant": second.pk, "session": session_id}),
    )


def attempt_capture(*, clinician_id: int, first_start: datetime.datetime) -> CapturedAttempt:
    """The SQL of one successful and one refused attempt, as templates for pgbench, taken once
    the process is warm (cached content types) like every attempt of the run. Captured until two
    attempts on different rows give the same statements, so no id is mistaken for another value
    that happens to be equal."""
    participants = participants_create(count=12, prefix="capture", clinician_id=clinician_id)
    sessions = sessions_create(count=6, capacity=1, first_start=first_start)
    _capture_once(participants[0:2], sessions[0])  # warm-up
    previous = None
    for n in range(1, 6):
        try:
            captured = _capture_once(participants[2 * n : 2 * n + 2], sessions[n])
        except ValueError:  # two variables with equal values: try other rows
            previous = None
            continue
        if previous is not None and (
            same_shape(previous.enrolled, captured.enrolled)
            and same_shape(previous.refused, captured.refused)
        ):
            return captured
        previous = captured
    raise RuntimeError("Captures of the same attempt on different rows do not agree.")


def locked_statements(steps: list[Step]) -> int:
    """How many of ``steps`` run under the session's lock: from the first ``FOR UPDATE`` on."""
    locked = next((n for n, step in enumerate(steps) if "FOR UPDATE" in step.sql), None)
    return 0 if locked is None else len(steps) - locked


def _is_seat_count(step: Step) -> bool:
    return "seats_left" in step.sql


def enrollment_script(captured: CapturedAttempt) -> str:
    """A pgbench script that replays one attempt as the service makes it: the successful
    attempt's statements in order, in the transactions they ran in; after each count of the seats
    it goes on only if one is free, like the service, else it ends there (ROLLBACK if a
    transaction is open), which must be exactly the refused attempt. Each client is one
    participant (``first_participant`` + its number) and moves to the next session after each
    attempt."""
    enrolled, refused = captured.enrolled, captured.refused
    if not (
        refused and _is_seat_count(refused[-1]) and same_shape(enrolled[: len(refused)], refused)
    ):
        raise RuntimeError(
            "A refusal as full is not a successful attempt cut short after counting the seats: "
            "the script cannot branch like the service."
        )
    lines = ["\\set participant :first_participant + :client_id"]
    in_transaction = False
    branches: list[bool] = []  # for each count of seats: was a transaction open then
    for step in (_one_round_trip(step) for step in enrolled):
        if step.in_transaction != in_transaction:
            lines.append("BEGIN;" if step.in_transaction else "COMMIT;")
            in_transaction = step.in_transaction
        if _is_seat_count(step):
            prefix = f"seats{len(branches)}_"
            lines.append(gset(step.sql, prefix))
            lines.append(f"\\if :{prefix}seats_left > 0 and :{prefix}waitlist_count = 0")
            branches.append(in_transaction)
        elif step.sql.startswith('INSERT INTO "sessions_app_enrollment"'):
            lines.append(gset(step.sql, "enrollment_"))
        else:
            lines.append(step.sql if step.sql.endswith(";") else f"{step.sql};")
    if in_transaction:
        lines.append("COMMIT;")
    for open_then in reversed(branches):
        lines += ["\\else", *(["ROLLBACK;"] if open_then else []), "\\endif"]
    lines += ["\\set session :session + 1", ""]
    return "\n".join(lines)


def _one_round_trip(step: Step) -> Step:
    """A step the service sent as two statements in one round trip (a row lock, then a read:
    ``journease.prepared``) is sent by pgbench alike (``\\;``), not as two round trips."""
    return Step(step.sql.replace("; SELECT ", " \\; SELECT "), step.in_transaction)


_COLUMN_LIST = re.compile(r'("\w+"\."\w+", ){3,}("\w+"\."\w+")?')


def script_shortened(script: str) -> str:
    """The script as a reader wants it in the figures: column lists and long lines cut."""
    lines = (_COLUMN_LIST.sub("…", line) for line in script.splitlines())
    return "\n".join(
        line if len(line) <= SCRIPT_SHOWN_CHARS else f"{line[:SCRIPT_SHOWN_CHARS]} …"
        for line in lines
    )
