"""Data files shipped with dutymatrix (canonical department names in ``departments.toml``)."""
