"""Scheduled report delivery: due times (schedule.py, pure), the delivery job (deliver.py), the
unsubscribe token (unsubscribe.py). Rendering belongs to exports/ and is bound at start."""
