"""The API's route tables, one per OpenAPI tag; handlers are thin: parse, call a use case, render."""
