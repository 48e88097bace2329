"""Alert rules: what each condition means (conditions.py), when a rule is due (due.py), the
leased evaluation (evaluate.py) and what a firing delivers (deliver.py)."""
