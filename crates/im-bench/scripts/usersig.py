"""Times the official Python UserSig library (tls-sig-api-v2) the way bench-usersig times
im-sig: one process, one thread, a warm-up, then a timed loop of complete generations for
`administrator`, SDKAppID 1400000000, validity 15552000 s, with the documented example key.
Each generation reads the clock inside the library. Prints `RESULT name=value` lines (CPU
time is the process's own), facts as `INFO name=value`, and one generated UserSig as
`SAMPLE value` for checking.

Usage: python usersig.py [--secs 2.5] [--warmup 0.3]
"""

import sys
import time
import zlib
from importlib import metadata

import TLSSigAPIv2

KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
SDKAPPID = 1400000000
IDENTIFIER = "administrator"
EXPIRE = 15552000
BATCH = 100


def option(name, default):
    """The number after `--name` on the command line, or `default`."""
    args = sys.argv[1:]
    flag = "--" + name
    if flag in args:
        return float(args[args.index(flag) + 1])
    return default


def main():
    secs = option("secs", 2.5)
    warmup = option("warmup", 0.3)
    api = TLSSigAPIv2.TLSSigAPIv2(SDKAPPID, KEY)
    gen_sig = api.gen_sig

    warm_until = time.perf_counter() + warmup
    while time.perf_counter() < warm_until:
        for _ in range(BATCH):
            gen_sig(IDENTIFIER, EXPIRE)

    ops = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    while True:
        for _ in range(BATCH):
            gen_sig(IDENTIFIER, EXPIRE)
        ops += BATCH
        elapsed = time.perf_counter() - start
        if elapsed >= secs:
            break
    cpu = time.process_time() - cpu_start

    print("INFO implementation=tls-sig-api-v2 " + metadata.version("tls-sig-api-v2") + " (Python)")
    print("INFO runtime=CPython " + sys.version.split()[0] + ", zlib " + zlib.ZLIB_RUNTIME_VERSION)
    print("RESULT ops_per_sec=%.1f" % (ops / elapsed))
    print("RESULT us_per_op=%.3f" % (elapsed * 1e6 / ops))
    print("RESULT cpu_us_per_op=%.3f" % (cpu * 1e6 / ops))
    print("RESULT ops=%d" % ops)
    print("SAMPLE " + gen_sig(IDENTIFIER, EXPIRE))


if __name__ == "__main__":
    main()
