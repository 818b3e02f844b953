-- The same change as migrations/sqlite/0003_validation.sql.

-- Whether a run's reply kept to its JSON response format: JSON
-- {"valid": bool, "errors": [{"path", "message"}]}; NULL when the run had
-- no JSON response format or did not end ok.
ALTER TABLE runs ADD COLUMN validation TEXT;
