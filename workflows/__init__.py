"""The domain-agnostic engine: errors, audit trail, transitions, deadlines, outbox."""
