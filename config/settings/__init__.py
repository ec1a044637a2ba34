"""Settings per environment: base, local (demo), production, test."""
