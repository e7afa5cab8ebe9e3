"""What the operations app keeps: the retention policies (Django admin)."""
