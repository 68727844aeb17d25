"""The store's error its callers handle: the table could not be used right now. Its own, not the API's
(api/resolver.py answers it as a 503), and free of imports, so the edge can name it cheaply."""


class StoreUnavailable(Exception):
    """DynamoDB throttled or could not be reached, after botocore's retries and the store's own: the
    write did not happen (or is not known to have); try again later."""
