"""The documented ticket APIs of other products, drop-in under /compat/<product>: each module is a
thin translation of one product's routes, fields, words and errors onto the native use cases, and
nothing below it knows that dialects exist."""
