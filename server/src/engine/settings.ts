// Settings as the user gives them (client configuration, CLI options) → the engine's settings. Every
// default is defined here once; the CLI and the server both go through resolveSettings.

import { parseVersion } from './knowledge/tls';
import { buildFromNginxV, DEFAULT_PRESET, makeBuild, PRESETS, resolveModuleName } from './knowledge/modules';
import { RULES } from './rules';
import { EngineSettings, Severity } from './types';

/** The current stable line; configs for older servers set nginxVersion (defaults and rules follow it). */
export const DEFAULT_NGINX_VERSION = '1.30';
export const DEFAULT_TRUSTED_CERTIFICATE = '/etc/ssl/certs/ca-certificates.crt';
/** Files larger than this (MB) are parsed for syntax only; none larger is read at all. */
export const DEFAULT_MAX_FILE_MB = 64;
export const DEFAULT_CERTIFICATE_EXPIRY_DAYS = 30;

/** What a user can set, in the shape of the `nginxTlsProxy.*` settings (all optional, all unchecked). */
export interface RawSettings {
  trustedCertificate?: unknown;
  nginxVersion?: unknown;
  rules?: unknown;
  extraDirectives?: unknown;
  maxFileSize?: unknown;
  rootConfig?: unknown;
  /** `nginxTlsProxy.format.*`: `{ alignMapValues?: boolean }`. */
  format?: unknown;
  certificateExpiryDays?: unknown;
  /** `{ "/etc/nginx/ssl": "deploy/ssl" }` */
  pathMap?: unknown;
  /** A preset name, or a list: an optional preset first, then module names to add. */
  modules?: unknown;
  /** The output of `nginx -V`: the build (and, unless nginxVersion is given, the version) it describes. */
  modulesFrom?: unknown;
}

export interface ResolvedSettings {
  settings: EngineSettings;
  /** The main config named by the user, as given (absolute, or relative to the workspace folder). */
  rootConfig?: string;
  /** Values that were not understood and were replaced by their default, in words a user can act on. */
  problems: string[];
}

const SEVERITIES = new Set(['off', 'error', 'warning', 'information', 'hint']);
const SEVERITY_ALIASES: Record<string, Severity> = { warn: 'warning', info: 'information' };

export function defaultSettings(over: Partial<EngineSettings> = {}): EngineSettings {
  return {
    nginxVersion: parseVersion(DEFAULT_NGINX_VERSION),
    trustedCertificate: DEFAULT_TRUSTED_CERTIFICATE,
    rules: {},
    extraDirectives: new Set(),
    maxAnalysisBytes: DEFAULT_MAX_FILE_MB * 1024 * 1024,
    alignMapValues: true,
    certificateExpiryDays: DEFAULT_CERTIFICATE_EXPIRY_DAYS,
    pathMap: [],
    build: makeBuild(DEFAULT_PRESET),
    ...over,
  };
}

export function resolveSettings(raw: RawSettings = {}): ResolvedSettings {
  const problems: string[] = [];
  const s = defaultSettings();
  if (typeof raw.trustedCertificate === 'string' && raw.trustedCertificate.trim()) s.trustedCertificate = raw.trustedCertificate.trim();
  else if (raw.trustedCertificate !== undefined && raw.trustedCertificate !== '') problems.push('trustedCertificate must be a file path');
  if (raw.nginxVersion !== undefined && raw.nginxVersion !== '') {
    const v = String(raw.nginxVersion).trim();
    if (/^\d+\.\d+(\.\d+)?$/.test(v)) s.nginxVersion = parseVersion(v);
    else problems.push(`nginxVersion: "${v}" is not a version like 1.22 or 1.27.3 (using ${DEFAULT_NGINX_VERSION})`);
  }
  if (raw.rules !== undefined) {
    if (typeof raw.rules !== 'object' || raw.rules === null || Array.isArray(raw.rules)) problems.push('rules must be an object of rule id → severity');
    else {
      const known = new Set(RULES.map((r) => r.id));
      for (const [id, value] of Object.entries(raw.rules as Record<string, unknown>)) {
        const v = typeof value === 'string' ? value.toLowerCase() : '';
        const sev = SEVERITIES.has(v) ? v : SEVERITY_ALIASES[v];
        if (!known.has(id)) problems.push(`rules: no rule "${id}"`);
        else if (!sev) problems.push(`rules: "${id}": "${String(value)}" is not off, error, warning, information or hint`);
        else s.rules[id] = sev as Severity | 'off';
      }
    }
  }
  if (raw.extraDirectives !== undefined) {
    if (Array.isArray(raw.extraDirectives)) s.extraDirectives = new Set(raw.extraDirectives.filter((x): x is string => typeof x === 'string'));
    else problems.push('extraDirectives must be a list of directive names');
  }
  if (raw.maxFileSize !== undefined) {
    const mb = Number(raw.maxFileSize);
    if (Number.isFinite(mb) && mb > 0) s.maxAnalysisBytes = mb * 1024 * 1024;
    else problems.push(`maxFileSize: "${String(raw.maxFileSize)}" is not a positive number of megabytes (using ${DEFAULT_MAX_FILE_MB})`);
  }
  if (raw.format !== undefined && raw.format !== null) {
    const align = typeof raw.format === 'object' ? (raw.format as { alignMapValues?: unknown }).alignMapValues : undefined;
    if (typeof align === 'boolean') s.alignMapValues = align;
    else if (align !== undefined || typeof raw.format !== 'object') problems.push('format.alignMapValues must be true or false');
  }
  if (raw.certificateExpiryDays !== undefined && raw.certificateExpiryDays !== '') {
    const days = Number(raw.certificateExpiryDays);
    if (Number.isFinite(days) && days >= 0) s.certificateExpiryDays = days;
    else problems.push(`certificateExpiryDays: "${String(raw.certificateExpiryDays)}" is not a number of days (using ${DEFAULT_CERTIFICATE_EXPIRY_DAYS})`);
  }
  if (raw.pathMap !== undefined) {
    if (typeof raw.pathMap !== 'object' || raw.pathMap === null || Array.isArray(raw.pathMap)) problems.push('pathMap must be an object of server path → workspace path');
    else {
      for (const [from, to] of Object.entries(raw.pathMap as Record<string, unknown>)) {
        if (!from.startsWith('/')) problems.push(`pathMap: "${from}" is not an absolute path (the path as the config names it on the server)`);
        else if (typeof to !== 'string' || !to.trim()) problems.push(`pathMap: "${from}" must map to a path`);
        else s.pathMap.push({ from: from.replace(/\/+$/, '') || '/', to: to.trim() });
      }
    }
  }
  if (typeof raw.modulesFrom === 'string' && raw.modulesFrom.trim()) {
    const v = buildFromNginxV(raw.modulesFrom);
    if (!/configure arguments:/.test(raw.modulesFrom)) problems.push('modulesFrom: not the output of nginx -V (no "configure arguments:" line)');
    else {
      s.build = v.build;
      if (v.version && (raw.nginxVersion === undefined || raw.nginxVersion === '')) s.nginxVersion = parseVersion(v.version);
      if (raw.modules !== undefined && raw.modules !== '') {
        const r = resolveModules(raw.modules);
        problems.push(...r.problems);
        s.build = { ...v.build, modules: new Set([...v.build.modules, ...r.modules].filter((m) => !r.removed.includes(m))) };
      }
    }
  } else if (raw.modules !== undefined && raw.modules !== '') {
    const r = resolveModules(raw.modules);
    problems.push(...r.problems);
    s.build = makeBuild(r.preset, r.modules, r.removed);
  }
  const root = typeof raw.rootConfig === 'string' && raw.rootConfig.trim() ? raw.rootConfig.trim() : undefined;
  return { settings: s, rootConfig: root, problems };
}

/**
 * `"debian-extras"`, `["nginx", "ngx_http_js_module"]`, `"openresty, headers-more"`: a preset (first, optional;
 * `nginx` when absent), module names to add (module ids, labels, shared objects or package names), and names
 * with a leading `-` to take out (a build configured `--without-…`, as *Use my nginx's modules* writes it).
 */
export function resolveModules(raw: unknown): { preset: string; modules: string[]; removed: string[]; problems: string[] } {
  const problems: string[] = [];
  let items: string[];
  if (typeof raw === 'string') items = raw.split(/[\s,]+/);
  else if (Array.isArray(raw)) items = raw.filter((x): x is string => typeof x === 'string').flatMap((x) => x.split(/[\s,]+/));
  else return { preset: DEFAULT_PRESET, modules: [], removed: [], problems: ['modules must be a preset name or a list of a preset and module names'] };
  items = items.filter(Boolean);
  let preset = DEFAULT_PRESET;
  if (items.length && Object.prototype.hasOwnProperty.call(PRESETS, items[0])) preset = items.shift()!;
  const modules: string[] = [];
  const removed: string[] = [];
  for (const item of items) {
    const minus = item.startsWith('-');
    const name = minus ? item.slice(1) : item;
    const ids = resolveModuleName(name);
    if (ids) (minus ? removed : modules).push(...ids);
    else problems.push(`modules: "${name}" is neither a preset (${Object.keys(PRESETS).join(', ')}) nor a module we know`);
  }
  return { preset, modules, removed, problems };
}

/** What *Use my nginx's modules* writes: the `modules` and `nginxVersion` settings an `nginx -V` output describes. */
export interface ModulesFromNginxV {
  /** For `nginxTlsProxy.modules`: the closest preset, then the modules to add and (`-name`) to take out. */
  modules: string[];
  /** For `nginxTlsProxy.nginxVersion`, when `nginx -V` names it. */
  nginxVersion?: string;
  /** Modules built as dynamic modules: the build has them once a `load_module` line loads them. */
  dynamic: string[];
  /** `--add-module` directories no module of ours is known by. */
  unknown: string[];
  /** Why nothing could be taken from the text, when nothing could. */
  problem?: string;
}

/**
 * The settings that describe the nginx whose `nginx -V` output this is. The setting holds a preset and
 * differences, not the full list, so it stays readable and keeps the preset's facts (Debian's exact module
 * versions): the preset chosen is the one that differs from the build in the fewest modules. Resolving the
 * result gives the same static modules as parsing the text.
 */
export function modulesFromNginxV(text: string): ModulesFromNginxV {
  if (!/configure arguments:/.test(text)) return { modules: [], dynamic: [], unknown: [], problem: 'not the output of nginx -V (no "configure arguments:" line)' };
  const v = buildFromNginxV(text);
  const have = v.build.modules;
  let best: { preset: string; add: string[]; remove: string[] } | undefined;
  for (const [preset, p] of Object.entries(PRESETS)) {
    // NGINX Plus only when nginx -V says so: its commercial directives must not become known by a closer match.
    if (!!p.plus !== v.build.plus) continue;
    // Debian's presets carry the exact directives of Debian 12's module binaries (nginx 1.22): another
    // version's modules are not those.
    if (preset.startsWith('debian-') && v.version && !/^1\.22\./.test(v.version)) continue;
    const mods = makeBuild(preset).modules;
    const add = [...have].filter((m) => !mods.has(m)).sort();
    const remove = [...mods].filter((m) => !have.has(m)).sort();
    if (!best || add.length + remove.length < best.add.length + best.remove.length) best = { preset, add, remove };
  }
  const b = best!;
  return {
    modules: [b.preset, ...b.add, ...b.remove.map((m) => '-' + m)],
    nginxVersion: v.version,
    dynamic: [...v.build.loadable].sort(),
    unknown: v.unknown,
  };
}
