"""The page's views, one module per page kind (as datasette's ``views/``): ``upload`` (上传),
``plan`` (责任矩阵 and 下载) and ``compare`` (版本对比). ``common`` holds what they share:
reading uploads within the limits and sending files."""
