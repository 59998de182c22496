"""The results stage: a solved study read into a Plan, checked, summarised and written as files.

- :mod:`~siteplan.results.plan`: :class:`~siteplan.results.plan.Plan` and ``extract_plan``, which
  reads the solved Pyomo model once; each concern reads its own variables in ``plan_sites``,
  ``plan_power``, ``plan_demand``, ``plan_costs`` and ``plan_limits``, with helpers in ``plan_read``.
- :mod:`~siteplan.results.invariants`: ``check_plan``, the Plan checked against the study's rules
  without the model (firm power in ``invariants_power``, build-out periods in ``invariants_periods``).
- :mod:`~siteplan.results.folder`: the data files of a results folder (``write_results``,
  ``read_results``).
- :mod:`~siteplan.results.summary` and :mod:`~siteplan.results.compare`: text for the terminal and
  two plans compared.
- A build-out's: ``buildout_plan`` (``BuildOut``, ``timeline``), ``buildout_folder`` (its results
  folder), ``buildout_text`` (its summary) and ``buildout_alternatives`` (its alternatives compared).

Nothing is imported here: import the module you need.
"""
