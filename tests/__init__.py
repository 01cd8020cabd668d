"""Cross-cutting production tests: the service matrix runner, fault injection against real
gunicorn / PostgreSQL / Redis / S3 processes, fuzzing of the API and hardening checks."""
