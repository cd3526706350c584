"""Core pages: sign-in, home, users, errors."""
