"""Small statistics for A/B comparisons: Wilson intervals and the two-proportion z-test."""

from __future__ import annotations

import math

Z_95 = 1.959963984540054


def wilson_interval(
    successes: int, trials: int, z: float = Z_95
) -> tuple[float, float] | None:
    """95 % Wilson score interval of successes / trials, or None with no trials."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = (
        z
        * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
        / denominator
    )
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_p_value(s1: int, n1: int, s2: int, n2: int) -> float | None:
    """Two-sided p-value that s1/n1 and s2/n2 differ (pooled z-test), or None when undefined."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (s1 + s2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return None
    z = (s1 / n1 - s2 / n2) / math.sqrt(variance)
    return math.erfc(abs(z) / math.sqrt(2))
