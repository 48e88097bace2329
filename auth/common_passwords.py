"""Common and breached passwords, checked offline (NIST SP 800-63B 3.1.1.2).

The list is the 30,000 most frequent passwords of the xato.net 10-million-password corpus (the
breach compilation SecLists also ships), as bundled by the ``zxcvbn`` package (MIT, pinned in
requirements.txt); nothing is fetched at run time. A 12-character minimum already refuses most
of it as written, so a password is also refused when what is left once the digits, symbols
and spaces around it are taken off (and the separators inside) is on the list: "password1234",
"Qwerty!2024", "iloveyou 123456", "p@ssw0rd2024".
"""

from __future__ import annotations

import re
from functools import cache

_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEPARATORS = re.compile(r"[\W_]+")
# Words of this product and its demo a guesser would try first (800-63B: context-specific words).
_UNLEET = str.maketrans("@4$50317!", "assoeitli")
CONTEXT_WORDS = frozenset({"kiki", "kikianalytics", "analytics", "acme", "globex"})


@cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import (
        FREQUENCY_LISTS,  # loaded on first use, not at import
    )

    return frozenset(FREQUENCY_LISTS["passwords"]) | CONTEXT_WORDS


def is_common_password(password: str) -> bool:
    """True when ``password``, or its core once digits, symbols and spaces around it and
    separators inside it are removed (and leetspeak undone), is a known common or breached password."""
    lowered = password.casefold()
    core = _AROUND.sub("", lowered)
    candidates = {
        lowered,
        core,
        _SEPARATORS.sub("", core),
        _SEPARATORS.sub("", lowered),
    }
    candidates |= {c.translate(_UNLEET) for c in candidates}  # p@ssw0rd is password
    return any(c in _common() for c in candidates if c)
