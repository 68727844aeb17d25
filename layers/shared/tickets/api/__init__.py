"""The HTTP edge: resolver, envelopes, error mapping and one route module per Lambda function."""
