// Directives of third-party modules: those the module table (modules.ts) assigns to a module that is not
// nginx's own (and that no open source nginx module defines too). Their contexts and arguments are not checked here; whether the configured build has the
// module is unknown-directive's question.

import { moduleInfo, modulesDefining } from './modules';

const verdicts = new Map<string, boolean>();

export function isThirdPartyDirective(name: string): boolean {
  let v = verdicts.get(name);
  if (v === undefined) {
    // A name both a third-party module and nginx's own open source modules define (rtmp's `server`) is
    // nginx's; one nginx has only as NGINX Plus (`proxy_cache_purge`, `sticky`) follows the third-party module.
    const defs = modulesDefining(name);
    v = defs.some((m) => moduleInfo(m.module)?.origin === 'third-party') &&
      !defs.some((m) => moduleInfo(m.module)?.origin === 'nginx' && !m.plusOnly);
    if (verdicts.size < 20000) verdicts.set(name, v);
  }
  return v;
}
