"""The Flask side around every answer: the hook order (pipeline), logs, health, Prometheus, delivery, the callback cache."""
