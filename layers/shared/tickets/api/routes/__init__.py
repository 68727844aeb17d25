"""One module per function: each builds the resolver its handler resolves with."""
