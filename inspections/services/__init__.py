"""Every write of the domain: one function per action, each in its own transaction."""
