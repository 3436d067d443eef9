"""Declaration files of the funds: layouts as versioned data, streaming readers and writers.

Pure Python (no Django): a payroll vendor can use it alone. Every problem in a file is reported as
(line, field, code, message in French, Arabic and English); a file with any problem is rejected
whole. See ``shared/reference/file-formats.md`` for the layouts.
"""
