"""What the support data adds up to: outcomes, satisfaction, trends, spikes, knowledge gaps.

It sits above `conversations` and `kb`: it reads both, and neither imports it.
"""
