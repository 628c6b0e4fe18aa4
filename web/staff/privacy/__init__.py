"""The DPO's pages for data-subject requests: the queue, recording a request, a request's page
and its actions."""
