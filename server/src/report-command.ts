// `nginx-tls-proxy report [paths…] --format json|markdown|html`: the TLS map of the configs (issue 16).
// Its own module: cli.ts hands it the arguments after `report` and exits with what it returns.

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createLanguageService, listConfigCandidates, mergeInventories, nodeCertificateParser, NodeFileSystem, probeKey, reportHtml, reportMarkdown,
  resolveSettings, toReportJson,
} from './core';
import type { ProbeTarget, RawSettings } from './core';
import { probe, PROBE_MAX_CONNECTIONS, PROBE_TIMEOUT_MS } from './probe';
import { writeStdout } from './cli/stdout';

export const REPORT_USAGE = `  report [paths...]       the TLS map: every upstream TLS use and its settings (--format json|markdown|html)`;

const HELP = `usage: nginx-tls-proxy report [paths...] [options]

Lists every place nginx opens TLS to an upstream, with the verification, trusted CA, checked name, SNI,
client certificate, protocols and ciphers in effect there, where each comes from, the findings on it, and the
backend's certificate (subject, issuer, expiry) where it is known: a server of the same config whose
certificate file is readable, or, with --probe, what the upstream presents.

options:
  --format json|markdown|html   (default markdown)
  --output FILE           write the report to FILE instead of standard output
  --title TEXT            title of the HTML report
  --root FILE             main config (relative includes resolve against its folder)
  --nginx-version X.Y     nginx version the configs run on (defaults differ by version)
  --rule ID=off|error|warning|info|hint
  --extra-directive NAME  a directive of another module that is not unknown (repeatable)
  --path-map FROM=TO      read the server's FROM/... certificate files from TO/... here (repeatable)
  --probe                 connect to the TLS upstreams as nginx would and read the certificates they present
                          (timeout ${PROBE_TIMEOUT_MS / 1000} s each, at most ${PROBE_MAX_CONNECTIONS}); without it nothing connects
`;

type Format = 'json' | 'markdown' | 'html';

function fail(message: string): number {
  process.stderr.write(`nginx-tls-proxy: ${message}\nrun "nginx-tls-proxy report --help" for usage\n`);
  return 2;
}

export async function runReport(argv: string[]): Promise<number> {
  let format: Format = 'markdown';
  let probing = false;
  let output: string | undefined;
  let title = 'TLS upstreams';
  let root: string | undefined;
  const paths: string[] = [];
  const raw: RawSettings & { rules: Record<string, string>; extraDirectives: string[]; pathMap: Record<string, string> } = { rules: {}, extraDirectives: [], pathMap: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string | undefined => argv[++i];
    let v: string | undefined;
    switch (a) {
      case '--format':
        v = value();
        if (v !== 'json' && v !== 'markdown' && v !== 'md' && v !== 'html') return fail(`--format: "${v ?? ''}" is not json, markdown or html`);
        format = v === 'md' ? 'markdown' : v;
        break;
      case '--output': case '-o':
        if ((output = value()) === undefined) return fail(`${a} needs a value`);
        break;
      case '--title':
        if ((v = value()) === undefined) return fail(`${a} needs a value`);
        title = v;
        break;
      case '--root':
        if ((v = value()) === undefined) return fail(`${a} needs a value`);
        root = path.resolve(v);
        break;
      case '--nginx-version':
        if ((raw.nginxVersion = value()) === undefined) return fail(`${a} needs a value`);
        break;
      case '--rule': {
        v = value();
        const m = /^([a-z0-9-]+)=(off|error|warning|warn|info|information|hint)$/.exec(v ?? '');
        if (!m) return fail(`--rule: "${v ?? ''}" is not ID=off|error|warning|info|hint`);
        raw.rules[m[1]] = m[2];
        break;
      }
      case '--extra-directive':
        if ((v = value()) === undefined) return fail(`${a} needs a value`);
        raw.extraDirectives.push(v);
        break;
      case '--path-map': {
        v = value();
        const eq = v?.indexOf('=') ?? -1;
        if (v === undefined || eq <= 0 || eq === v.length - 1) return fail(`--path-map: "${v ?? ''}" is not FROM=TO`);
        raw.pathMap[v.slice(0, eq)] = v.slice(eq + 1);
        break;
      }
      case '--probe':
        probing = true;
        break;
      case '-h': case '--help':
        writeStdout(HELP);
        return 0;
      case '--':
        // Everything after it is a path, even one that starts with "-" (as for check).
        paths.push(...argv.slice(i + 1));
        i = argv.length;
        break;
      default:
        if (a.startsWith('-')) return fail(`unknown option ${a}`);
        paths.push(a);
    }
  }
  const { settings, problems } = resolveSettings(raw);
  if (problems.length) return fail(problems.join('; '));

  const targets: string[] = [];
  const candidates: string[] = [];
  let unreadable = false;
  for (const p of paths.length ? paths : ['.']) {
    const abs = path.resolve(p);
    let st: fs.Stats;
    try { st = fs.statSync(abs); } catch (e) {
      process.stderr.write(`nginx-tls-proxy: ${p}: cannot read (${(e as NodeJS.ErrnoException).code})\n`);
      unreadable = true;
      continue;
    }
    if (st.isDirectory()) {
      const found = listConfigCandidates([abs], 100000);
      targets.push(...found);
      candidates.push(...found);
    } else {
      targets.push(abs);
      candidates.push(abs, ...listConfigCandidates([path.dirname(abs)], 2000));
    }
  }
  // The certificate parser and the working directory as the workspace, as `check` has them: the backends'
  // certificates are read where the config names them.
  const service = createLanguageService({ fs: new NodeFileSystem(settings.maxAnalysisBytes), settings, candidates: () => candidates, rootConfig: root, certificates: nodeCertificateParser, workspaceFolders: () => [process.cwd()] });
  if (probing) {
    const wanted = new Map<string, ProbeTarget>();
    for (const t of [...new Set(targets)].flatMap((x) => service.probeTargets(x))) wanted.set(probeKey(t.host, t.port, t.sni, t.offer), t);
    const { results, skipped } = await probe([...wanted.values()]);
    if (skipped) process.stderr.write(`nginx-tls-proxy: probe: ${skipped} more upstreams not probed (at most ${PROBE_MAX_CONNECTIONS})\n`);
    service.setProbeResults(results);
  }
  const uses = mergeInventories([...new Set(targets)].map((t) => service.inventory(t)));
  const cwd = process.cwd();
  const show = (file: string) => {
    const r = path.relative(cwd, file);
    return r.startsWith('..') || path.isAbsolute(r) ? file : r;
  };
  const text = format === 'json' ? JSON.stringify(toReportJson(uses, show), null, 2) + '\n'
    : format === 'html' ? reportHtml(uses, show, title)
      : reportMarkdown(uses, show);
  if (output !== undefined) {
    try { fs.writeFileSync(output, text); } catch (e) {
      process.stderr.write(`nginx-tls-proxy: ${output}: cannot write (${(e as NodeJS.ErrnoException).code})\n`);
      return 2;
    }
  } else writeStdout(text);
  return unreadable ? 2 : 0;
}
