"""What workflows and activities agree on: activity names, inputs and results. Pure dataclasses."""
