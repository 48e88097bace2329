"""The request pipeline around every answer: logging, health, Prometheus, delivery, the callback cache."""
