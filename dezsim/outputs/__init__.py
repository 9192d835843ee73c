"""What a reader sees: the reachability report (Markdown, HTML, tables, figures), plots, scenario comparison and the
browser dashboard (:mod:`~dezsim.outputs.app`).

May import targets, calibration, model, data and base; never sweep or the CLI.
"""
