#!/usr/bin/env python3
"""hot_text.py --maps BIN_DIR --real REAL_DIR PROFILE...: print src/hot_text.ld.

Each PROFILE is a callgrind output (--dump-instr=yes, uncompressed) named
PROGRAM.PID, of the program REAL_DIR/PROGRAM.real, whose link map is
BIN_DIR/PROGRAM.map. Every instruction address that ran is mapped to the
input section holding it; the script lists those sections, as GNU ld input
section descriptions, in one output section placed before .text.
Used by scripts/hot-text.sh.
"""
import argparse
import bisect
import os
import re
import sys

HEADER = """\
/* Sections the daemons and commands ran in a profile of a cluster's day,
   placed together ahead of .text so their resident code is the code they
   use. Made by scripts/hot-text.sh; do not edit by hand. A section that is
   not listed still links, in .text. See CMakeLists.txt, "Hot code first". */
SECTIONS
{
  .text.sluice_hot :
  {
"""
FOOTER = """\
  }
}
INSERT BEFORE .text;
"""

ENTRY_WITH_SIZE = re.compile(r' (\.text\S*)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$')
NAME_ONLY = re.compile(r' (\.text\S*)\s*$')
ADDR_SIZE = re.compile(r'\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$')


def parse_map(path):
    """Input .text* sections of a GNU ld map: sorted (start, size, name, file)."""
    sections, started, pending = [], False, None
    with open(path, errors='replace') as f:
        for line in f:
            if not started:
                started = line.startswith('Linker script and memory map')
                continue
            if pending is not None:
                m = ADDR_SIZE.match(line)
                if m:
                    sections.append((int(m[1], 16), int(m[2], 16), pending, m[3].strip()))
                pending = None
                continue
            m = NAME_ONLY.match(line)
            if m:
                pending = m[1]
                continue
            m = ENTRY_WITH_SIZE.match(line)
            if m:
                sections.append((int(m[2], 16), int(m[3], 16), m[1], m[4].strip()))
    sections = [s for s in sections if s[0] > 0 and s[1] > 0]
    sections.sort()
    return sections


def ran_addresses(profile, object_suffix):
    """Instruction addresses with a cost in OBJECT (callgrind's ob=).

    Valgrind takes a program's code range from its .text section, so code
    the hot layout moved ahead of it comes out as ob=???; for a non-PIE
    program those addresses are still the link's, so they count too (the
    map lookup drops any that are not the program's)."""
    addresses, in_object = set(), False
    with open(profile, errors='replace') as f:
        for line in f:
            if line.startswith('ob='):
                ob = line.rstrip('\n')
                in_object = ob.endswith(object_suffix) or ob == 'ob=???'
            elif in_object and line.startswith('0x'):
                addresses.add(int(line.split(None, 1)[0], 16))
    return addresses


def pattern(file_field):
    """The ld file pattern for a map's file column."""
    m = re.match(r'(?:.*/)?([^/(]+)\(([^)]+)\)$', file_field)
    if m:  # archive member
        return f'*{m[1]}:{m[2]}'
    parts = file_field.split('/')
    return '*' + '/'.join(parts[-2:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--maps', required=True)
    ap.add_argument('--real', required=True)
    ap.add_argument('profiles', nargs='+')
    args = ap.parse_args()
    maps, entries = {}, set()
    for profile in args.profiles:
        program = os.path.basename(profile).rsplit('.', 1)[0]
        if program not in maps:
            maps[program] = parse_map(os.path.join(args.maps, program + '.map'))
        sections = maps[program]
        starts = [s[0] for s in sections]
        for a in ran_addresses(profile, f'/{program}.real'):
            i = bisect.bisect_right(starts, a) - 1
            if i >= 0 and a < sections[i][0] + sections[i][1]:
                entries.add((pattern(sections[i][3]), sections[i][2]))
    if not entries:
        sys.exit('hot_text: no instruction of any profile fell in a mapped section')
    sys.stdout.write(HEADER)
    for file_pattern, section in sorted(entries):
        sys.stdout.write(f'    {file_pattern}({section})\n')
    sys.stdout.write(FOOTER)


if __name__ == '__main__':
    main()
