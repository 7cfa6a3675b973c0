"""Benchmarks: segmentation speed against plain jieba (``segmentation``), scale of the store (``scale``).
"""

