"""The WebSocket API's functions (README, Real-time): its authorizer, its routes, and the push."""
