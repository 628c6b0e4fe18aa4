"""Staff pages (server-rendered HTML), by feature; web/routes.py lists their routers."""
