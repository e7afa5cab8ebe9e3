"""Every periodic task Celery beat sends, and how often: the settings' ``CELERY_BEAT_SCHEDULE``.

Run exactly one beat. Each task is safe if a second beat runs by mistake: see the README's
Operations section for the guard that makes each one so.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "journease.tasks.heartbeat",
        "schedule": 60.0,
    },
    # Waitlist offers past their time expire and the held seat passes to the next in line.
    "waitlist-expire-offers": {
        "task": "sessions_app.waitlist_expire_offers",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "notifications-sweep": {
        "task": "sessions_app.notifications_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Each failed safety or staff message is reported to the admins, once.
    "report-failed-messages": {
        "task": "participants.report_failed_messages",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "staff-session-checks": {"task": "sessions_app.staff_session_checks", "schedule": 15 * 60.0},
    "cohort-minimum-check": {"task": "cohorts.minimum_check", "schedule": 15 * 60.0},
    "cohort-readiness-check": {"task": "cohorts.dosing_readiness_check", "schedule": 15 * 60.0},
    # A cohort's waitlist offers past their time pass on; at join-until the whole line ends.
    "cohort-waitlist-offers": {
        "task": "cohorts.waitlist_expire_offers",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Safety alerts nobody acknowledged within the policy's minutes go to every clinician and admin.
    "escalate-safety-alerts": {
        "task": "participants.escalate_safety_alerts",
        "schedule": 60.0,
    },
    # The next daily reminder of each unanswered week or month check-in (one pending at a time).
    "plan-checkin-nudges": {
        "task": "participants.plan_checkin_nudges",
        "schedule": 15 * 60.0,
    },
    # Safety, review and decision messages whose task was lost (worker or broker down).
    "send-pending-screening-notices": {
        "task": "participants.send_pending_notices",
        "schedule": 60.0,
    },
    # Retention policies (operations), once a day at a quiet hour in the clinic's zone
    # (CELERY_TIMEZONE): 03:30 exists on every day, daylight-saving changes included.
    "retention-apply": {
        "task": "operations.retention_apply",
        "schedule": crontab(hour=3, minute=30),
    },
}
