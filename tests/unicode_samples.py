"""Text generators shared by the tests of the canonical view and of ``InvisibleChars``.

Both check the same invisible-character rules, so they draw from the same alphabet.
"""

from __future__ import annotations

from hypothesis import strategies as st

# Invisible characters, what legitimate sequences put next to them (emoji, keycaps, flags, CJK
# ideographs, joining scripts, Mongolian), and a few other characters.
SPECIAL = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\u2066\u061c\ufe0e\ufe0f\ufe00\U000e0041\U000e007f"
    "\U000e0067\U000e0062\U000e0001\U000e0100\U000e0101\u180b\u180e\u180f\u1820\u3164\uffa0\ufff9"
    "\U0001bca0\U0001d173\u0301\u094d\u3099\uff9e\u2764\u263a\U0001f468\U0001f469\U0001f3f4\U0001f3fd"
    "#1\u20e3\u845b\U00020000\u0915\u0628\u06cc\ufb01\uff21a ."
)


def special_texts(max_size: int) -> st.SearchStrategy[str]:
    """Texts of the special alphabet, alone or mixed with any other characters."""
    return st.text(alphabet=st.sampled_from(SPECIAL), max_size=max_size) | st.text(
        alphabet=st.sampled_from(SPECIAL) | st.characters(codec=None), max_size=max_size
    )
