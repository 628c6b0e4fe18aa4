"""Application services by feature: stores, queries and read models. They take a session, never
open one."""
