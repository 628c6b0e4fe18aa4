"""Cravelynos case management."""
