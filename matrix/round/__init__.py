"""A 下发 round: sending one return form per department (``dispatch``), gathering the returns
into a 汇总 (``collect``) and reading a task's 完成时限 into a date for 逾期 (``deadline``).
"""
