"""Seedance video models on Volcengine Ark (火山方舟), the ``ark`` service (issue 15)."""
