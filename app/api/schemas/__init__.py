"""Pydantic request and response models for /api/v1, one module per domain; they generate the OpenAPI document."""
