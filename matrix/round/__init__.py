"""A 下发 round: sending one return form per department (``dispatch``), gathering the returns
into a 汇总 (``collect``; when each task is due is read at parse time, ``matrix.parse.deadline``),
the lights and late returns (``lights``), and what goes back
after it, the 催办通知 and the 督查通报 (``remind``, written as .docx by ``official``).
"""
