"""Helpers shared by the workflow, integration, browser and bench code: real components only."""
