"""The recommended policy against the library's own attack strategies, plain and obfuscated.

Every default payload family and every obfuscation technique is drawn; the policy must block each at no
less than the rate recorded here. Lower floors are the known limits listed in docs/testing.md; a floor
that is no longer needed should be raised when the detectors improve.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guardkit as gk
from guardkit import strategies as gs

#: Minimum share of obfuscated payloads the recommended policy blocks, per technique.
FLOORS = {
    "plain": 0.9,
    "zero_width": 0.9,
    "homoglyph": 0.9,
    "fullwidth": 0.75,  # known limit (measured 0.82): see docs/testing.md
    "case": 0.9,
    "spacing": 0.85,
    "leetspeak": 0.5,  # known limit (measured 0.61): heavy digit substitution defeats word matching
    "base64": 0.9,
    "hex": 0.9,
    "rot13": 0.8,
    "tag_chars": 0.9,
}


def test_recommended_policy_blocks_obfuscated_payloads() -> None:
    """Each technique keeps its recorded detection rate over a fixed, derandomized sample."""
    policy = gk.Policy.recommended()
    seen: Counter[str] = Counter()
    blocked: Counter[str] = Counter()
    techniques = sorted(set(gs.OBFUSCATIONS))

    @settings(max_examples=400, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.data())
    def sample(data: st.DataObject) -> None:
        payload = data.draw(gs.injection_payloads())
        technique = data.draw(st.sampled_from(["plain", *techniques]))
        text = payload
        if technique != "plain":
            if technique == "tag_chars" and not (payload.isascii() and payload.isprintable()):
                return
            text = data.draw(gs.obfuscations(payload, techniques=[technique]))
        seen[technique] += 1
        blocked[technique] += policy.check_input(text).blocked

    sample()
    rates = {t: blocked[t] / seen[t] for t in seen}
    low = {t: round(rate, 3) for t, rate in rates.items() if rate < FLOORS[t]}
    assert not low, f"below the recorded floor: {low} (floors: {FLOORS})"
    assert set(seen) == set(FLOORS)
