#!/usr/bin/env python3
# Reads the directive table (ngx_command_t[]) out of nginx module binaries: each command's name, its
# context bits and its argument bits, exactly as the module defines them. Used to write
# server/src/engine/knowledge/module-commands.ts from Debian 12's libnginx-mod-* packages
# (apt-get download libnginx-mod-…; dpkg-deb -x) and /usr/sbin/nginx (nginx 1.22.1-9+deb12u12).
#
# ngx_command_t on x86-64: { ngx_str_t name {len, data*}, ngx_uint_t type, set*, conf, offset, post* }.
# In a position-independent binary, `data` and `set` are R_X86_64_RELATIVE relocations; `len` and `type`
# are plain words. A command is a relocation to a NUL-terminated name whose length is the word before it,
# followed by a type word with context bits (high byte) and a relocated `set` handler.
#
# Usage: extract-module-commands.py FILE.so... > commands.jsonl
import json, re, struct, subprocess, sys

def sections(path):
    out = subprocess.run(['readelf', '-S', '--wide', path], capture_output=True, text=True).stdout
    return [(m.group(1), int(m.group(2), 16), int(m.group(3), 16), int(m.group(4), 16))
            for m in re.finditer(r'\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)', out)]

def commands(path):
    data = open(path, 'rb').read()
    secs = sections(path)
    def off(va):
        for n, a, o, s in secs:
            if a and a <= va < a + s and n != '.bss':
                return va - a + o
        return None
    rel = {}  # relocated word → target (RELATIVE), or -1 (a symbol: a handler from nginx itself)
    for line in subprocess.run(['readelf', '-r', '--wide', path], capture_output=True, text=True).stdout.splitlines():
        p = line.split()
        if len(p) >= 4 and 'RELATIVE' in p[2]:
            rel[int(p[0], 16)] = int(p[3], 16)
        elif len(p) >= 5 and re.match(r'^[0-9a-f]{8,}$', p[0]) and 'R_X86_64_64' in p[2]:
            rel[int(p[0], 16)] = -1
    found = set()
    for o, a in rel.items():
        if a < 0:
            continue
        fo, so = off(o), off(a)
        if fo is None or so is None or fo < 8:
            continue
        ln = struct.unpack('<Q', data[fo - 8:fo])[0]
        if not 1 <= ln < 64:
            continue
        s = data[so:so + ln]
        if data[so + ln:so + ln + 1] != b'\0' or not re.match(rb'^[A-Za-z_][A-Za-z0-9_]*$', s):
            continue
        typ = struct.unpack('<Q', data[fo + 8:fo + 16])[0]
        if typ >> 32 or not typ & 0xff000000 or (o + 16) not in rel:
            continue
        found.add((s.decode(), typ))
    return sorted(found)

for p in sys.argv[1:]:
    print(json.dumps({'file': p.split('/')[-1], 'commands': commands(p)}))
