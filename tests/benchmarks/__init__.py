"""Performance benchmarks at national scale (issue 8). Not collected by pytest: run them as scripts.

    .venv/bin/python -m tests.benchmarks.run --scale national --backends sqlite,postgresql

See BENCHMARKS.md for what is measured, the goals and the latest results.
"""
