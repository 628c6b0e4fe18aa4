"""Reproducible benchmarks (`make bench`): each measure is printed beside a baseline taken in
the same run, on the same machine, so a number is read as a ratio rather than in a vacuum.

- throughput: dossiers created through the API until their acknowledgement email reaches a real
  SMTP server, beside a trivial one-activity workflow on the same Temporal dev server;
- list latency: the dossier list page and API with 100,000 dossiers, beside a static file of the
  same app.
"""
