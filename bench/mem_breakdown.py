#!/usr/bin/env python3
"""Where a daemon's resident memory is (issue 14 point 3).

Usage: bench/mem_breakdown.py PID [PID...]   (root: reads /proc/PID/pagemap)

For each process: RSS split by mapping (the executable's code, its data,
each shared library, heap and anonymous memory, stacks), then the
executable's resident code pages attributed to the component whose
functions they hold (gRPC, protobuf, abseil, ours, ...), by the symbol
that covers most of each page (nm of the executable)."""
import collections, os, struct, subprocess, sys

PAGE = os.sysconf("SC_PAGE_SIZE")


def mappings(pid):
    out = []
    cur = None
    for line in open(f"/proc/{pid}/smaps"):
        f = line.split()
        if "-" in f[0] and not f[0].endswith(":"):
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            cur = {"lo": lo, "hi": hi, "perm": f[1], "path": f[5] if len(f) > 5 else "", "rss": 0, "anon": 0}
            out.append(cur)
        elif f[0] == "Rss:":
            cur["rss"] = int(f[1])
        elif f[0] == "Anonymous:":
            cur["anon"] = int(f[1])
    return out


def resident_pages(pid, lo, hi):
    with open(f"/proc/{pid}/pagemap", "rb") as pm:
        pm.seek(lo // PAGE * 8)
        data = pm.read((hi - lo) // PAGE * 8)
    for i in range(len(data) // 8):
        (v,) = struct.unpack_from("<Q", data, i * 8)
        if v >> 63:
            yield lo + i * PAGE


def component(name):
    for key, comp in (("grpc", "gRPC"), ("google::protobuf", "protobuf"), ("absl::", "abseil"),
                      ("sluice::", "Sluice"), ("sqlite3", "SQLite"), ("munge", "MUNGE"),
                      ("boost::", "Boost.Asio"), ("upb_", "gRPC (upb)"), ("re2::", "re2"),
                      ("CLI::", "CLI11"), ("spdlog::", "spdlog"), ("fmt::", "fmt"),
                      ("std::", "C++ library templates"), ("ssl", "OpenSSL"), ("SSL", "OpenSSL"),
                      ("EVP_", "OpenSSL"), ("CRYPTO", "OpenSSL"), ("address_sorting", "gRPC"),
                      ("cares", "gRPC (c-ares)"), ("ares_", "gRPC (c-ares)")):
        if key in name:
            return comp
    return "other"


def symbols(exe):
    out = subprocess.run(["nm", "-C", "-S", "--defined-only", exe], capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split(None, 3)
        if len(f) == 4 and f[2] in "tTwW":
            syms.append((int(f[0], 16), int(f[1], 16), f[3]))
    syms.sort()
    return syms


def code_breakdown(pid, exe, maps):
    syms = symbols(exe)
    import bisect
    starts = [s[0] for s in syms]
    by = collections.Counter()
    for m in maps:
        if m["path"] != exe or "x" not in m["perm"]:
            continue
        for page in resident_pages(pid, m["lo"], m["hi"]):
            cover = collections.Counter()
            i = max(bisect.bisect_right(starts, page) - 1, 0)
            while i < len(syms) and syms[i][0] < page + PAGE:
                a, size, name = syms[i]
                lo, hi = max(a, page), min(a + max(size, 1), page + PAGE)
                if hi > lo:
                    cover[component(name)] += hi - lo
                i += 1
            by[cover.most_common(1)[0][0] if cover else "other"] += PAGE // 1024
    return by


def main():
    for pid in sys.argv[1:]:
        exe = os.readlink(f"/proc/{pid}/exe")
        maps = mappings(pid)
        total = sum(m["rss"] for m in maps)
        print(f"pid {pid} {os.path.basename(exe)}: RSS {total} kB")
        kinds = collections.Counter()
        for m in maps:
            if m["path"] == exe:
                kind = "executable, code" if "x" in m["perm"] else "executable, data"
            elif m["path"].startswith("/"):
                kind = os.path.basename(m["path"])
            elif m["path"] in ("[heap]", "[stack]"):
                kind = m["path"]
            else:
                kind = "anonymous (thread stacks, mmap'd heap)"
            kinds[kind] += m["rss"]
        for k, v in kinds.most_common():
            if v:
                print(f"  {v:6d} kB  {k}")
        anon = sum(m["anon"] for m in maps)
        print(f"  ({anon} kB of it anonymous)")
        for k, v in code_breakdown(pid, exe, maps).most_common():
            print(f"    code {v:6d} kB  {k}")


main()
