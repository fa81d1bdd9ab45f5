// "Show effective TLS settings": every upstream and server TLS setting in effect at a spot, with its origin.

import { describeEffective } from '../model/describe';
import { ConfigModel } from '../model/model';
import { tlsUses } from '../model/tls-uses';
import { NginxVersion } from '../knowledge/tls';
import { serverSummary, upstreamSuffixes } from '../knowledge/tls-directives';
import { blockAt } from './completion';

// Settings with a value worth showing: not passwords, not free-form OpenSSL commands or caches.
const UPSTREAM = upstreamSuffixes((r) => r.value !== 'other' && r.role !== 'password');
const SERVER = serverSummary();

export function effectiveTls(model: ConfigModel, path: string, offset: number, version: NginxVersion): { where: string; lines: string[] } {
  const block = blockAt(model, path, offset);
  if (!block) return { where: 'nowhere', lines: [] };
  const lines: string[] = [];
  const families = new Set<string>();
  const useList = tlsUses(model);
  for (let useIndex = 0; useIndex < useList.length; useIndex++) {
    const use = useList[useIndex];
    for (let b: typeof block | null = use.block; b; b = b.parent) if (b === block) families.add(use.family === 'stream' ? 'proxy' : use.family);
  }
  if (families.size === 0) families.add(block.kind.startsWith('stream') ? 'proxy' : 'proxy');
  for (const f of families) for (const s of UPSTREAM) lines.push(describeEffective(model, `${f}_ssl_${s}`, block, version));
  if (block.kind.startsWith('stream')) lines.unshift(describeEffective(model, 'proxy_ssl', block, version));
  if (block.kind === 'http/server' || block.kind === 'http/location' || block.kind === 'stream/server' || block.kind === 'http') {
    for (const s of SERVER) lines.push(describeEffective(model, s, block, version));
  }
  return { where: block.kind, lines };
}
