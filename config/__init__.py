"""Settings: CRAVELYNOS_* environment variables, read once at an entry point and passed down."""
