// The variables a config defines (set, map, geo, … and named regex captures), and whether a name is known.

import { definedVariableArgument, isOfficialVariable } from '../knowledge/variables';
import { ConfigModel, LDir } from './model';

/** The directive that defines `name` in this config (set, map, geo, …), if one does. */
export function variableDefinition(name: string, model: ConfigModel): LDir | undefined {
  const ldList = model.all;
  for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
    const ld = ldList[ldIndex];
    const at = definedVariableArgument(ld.name);
    if (at === undefined || !ld.d.argCount) continue;
    const arg = at === 'last' ? ld.d.args[ld.d.argCount - 1] : ld.d.args[at as number];
    if (arg && arg.value.replace(/^\$\{?/, '').replace(/\}$/, '') === name) return ld;
  }
  return undefined;
}

const cache = new WeakMap<ConfigModel, Set<string>>();

/** Variables the config defines: set, map, geo, … and named captures of its regexes. */
export function definedVariables(scope: ConfigModel): Set<string> {
  const model = scope.whole;
  let defined = cache.get(model);
  if (defined) return defined;
  defined = new Set<string>();
  const ldList = model.all;
  for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
    const ld = ldList[ldIndex];
    const at = definedVariableArgument(ld.name);
    if (at !== undefined && ld.d.args.length) {
      const arg = at === 'last' ? ld.d.args[ld.d.args.length - 1] : ld.d.args[at as number];
      const m = arg && /^\$\{?([A-Za-z0-9_]+)/.exec(arg.value);
      if (m) defined.add(m[1]);
    }
    // geoip2 { $var default=… path; } and similar blocks define variables in their data lines.
    if (ld.block.kind === 'raw' && ld.block.owner?.name === 'geoip2' && ld.name.startsWith('$')) defined.add(ld.name.slice(1));
  }
  // Named captures of any regex in the config's files (a comment mentioning one only makes us more lenient).
  for (const f of model.files.values()) {
    for (const m of f.tree.text.matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g)) defined.add(m[1]);
  }
  cache.set(model, defined);
  return defined;
}

export function isKnownVariable(name: string, model: ConfigModel): boolean {
  return isOfficialVariable(name) || definedVariables(model).has(name);
}
