"""Periodic jobs: what must run on a schedule for the platform to stay right over time —
surcharges accrue, abandoned card payments expire, revoked situations are found, stray files go,
rights lapse, lost filing jobs are queued again.

``schedule.py`` lists them as data; ``tasks.py`` holds their Celery tasks; Celery beat
(``celery -A tadamun.jobs beat``) sends them in production, and ``tadamun housekeeping`` runs
them at once, in-process (the embedded default, from cron).
"""
