"""Seed-language reference for bench/python-primes.mjs: count the primes below N with
multiprocessing.Pool(WORKERS).map over the same chunks the Node server uses (CHUNK values each),
with the same 6k±1 trial division as server/src/functions/builtins.ts (primeTest).

usage: python3 primes_pool.py N CHUNK WORKERS ROUNDS
prints one JSON line: {"count": ..., "ms": [per-round wall times of pool.map]}
The pool is created (and warmed) before timing, as the server's worker pool is.
"""
import json
import sys
import time
from multiprocessing import Pool


def prime_test(n):
    if n < 2:
        return False
    if n < 4:
        return True
    if n % 2 == 0 or n % 3 == 0:
        return False
    d = 5
    while d * d <= n:
        if n % d == 0 or n % (d + 2) == 0:
            return False
        d += 6
    return True


def count_chunk(bounds):
    start, end = bounds
    count = 0
    for n in range(start, end):
        if prime_test(n):
            count += 1
    return count


def main():
    n, chunk, workers, rounds = (int(a) for a in sys.argv[1:5])
    chunks = [(s, min(s + chunk, n)) for s in range(0, n, chunk)]
    times = []
    total = None
    with Pool(workers) as pool:
        pool.map(count_chunk, [(0, 1000)] * workers)  # start the processes
        for _ in range(rounds):
            t = time.perf_counter()
            total = sum(pool.map(count_chunk, chunks, chunksize=1))
            times.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"count": total, "ms": times}))


if __name__ == "__main__":
    main()
