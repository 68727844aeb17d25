"""The benchmark harness behind `make bench` (issue 7): round trips, read/write units and cost, list cost
as the table grows, cold start, warm overhead, package size and stream processing.

Run it with `make bench` (writes docs/benchmarks.md) or `make bench-smoke` (a quick pass that only checks
the harness works). Every section reuses the project's own modules and tests/support fixtures."""
