"""``make bench``: serverless-chat measured side by side with a baseline in the same run.

Each row measures ours and its baseline on loopback, bounded in time, prints a table and writes
``build/bench.json``.
"""
