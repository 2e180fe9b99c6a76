"""What operators watch: request ids, structured JSON logs and Prometheus metrics (docs/operations.md)."""
