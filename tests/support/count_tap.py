#!/usr/bin/env python3
"""Counts TAP cases in a meson testlog.json: prints "PASSED FAILED".

A test whose output holds no TAP result lines counts as one case, by its meson result, so a crash
before the plan is still a failure."""
import json, re, sys

passed = failed = 0
with open(sys.argv[1]) as f:
    for line in f:
        rec = json.loads(line)
        out = rec.get("stdout") or ""
        oks = len(re.findall(r"^ok\b", out, re.M))
        noks = len(re.findall(r"^not ok\b", out, re.M))
        ok = rec.get("result") in ("OK", "EXPECTEDFAIL", "SKIP")
        if oks + noks == 0:
            passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
        else:
            passed += oks
            # a crash after some cases passed still fails the test
            failed += noks if (ok or noks) else noks + 1
print(passed, failed)
