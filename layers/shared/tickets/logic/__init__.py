"""The rules: status machine, numbering, list membership, stats and the use cases."""
