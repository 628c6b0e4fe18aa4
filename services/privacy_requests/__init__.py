"""Data-subject requests: recording one, who may see and drive it, the queue and the request
page's views, its timeline and the DPO's written reasons."""
