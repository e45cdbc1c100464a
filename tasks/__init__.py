"""Background work on taskiq: reminders, predictive nudges, weekly summaries and their delivery.

`broker` builds the broker, tasks and scheduler from Settings; `main` runs a worker or the scheduler;
`embedded` runs both inside `smarthabit run`; `planning` decides what to send, `delivery` sends it
exactly once at most; `ratelimit` shares Telegram's limits across processes.
"""
