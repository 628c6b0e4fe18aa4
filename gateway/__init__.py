"""The way to Temporal from outside a worker: the encrypting client, workflow updates and
queries, the relay of the workflow-start outbox."""
