// "Insert upstream mutual-TLS scaffold": an upstream group at http level and a verified location in the
// server at the cursor, each placed where nginx allows it, in the file's indentation.

import { ConfigModel, LBlock } from '../model/model';
import { isCertificateName } from '../model/verification';
import { quoteIfNeeded } from '../fixes/edits';
import { TextEdit } from '../types';
import { blockAt } from './completion';

export interface ScaffoldParams {
  name: string;
  servers: string[];
  /** The name in the upstream servers' certificate (checked and sent as SNI). */
  certificateName: string;
  trustedCertificate: string;
  clientCertificate: string;
  clientKey: string;
  path?: string;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function indentAt(text: string, offset: number): string {
  const ls = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(ls))![0];
}

export function scaffoldTexts(p: ScaffoldParams, unit: string): { upstream: string[]; location: string[] } {
  const upstream = [`upstream ${p.name} {`, ...p.servers.map((s) => `${unit}server ${s};`), '}'];
  const location = [
    `location ${p.path ?? '/' + p.name + '/'} {`,
    `${unit}proxy_pass https://${p.name};`,
    `${unit}proxy_ssl_certificate ${quoteIfNeeded(p.clientCertificate)};`,
    `${unit}proxy_ssl_certificate_key ${quoteIfNeeded(p.clientKey)};`,
    `${unit}proxy_ssl_trusted_certificate ${quoteIfNeeded(p.trustedCertificate)};`,
    `${unit}proxy_ssl_verify on;`,
    `${unit}proxy_ssl_verify_depth 2;`,
    ...(p.certificateName ? [`${unit}proxy_ssl_name ${p.certificateName};`] : []),
    `${unit}proxy_ssl_server_name on;`,
    `${unit}proxy_ssl_protocols TLSv1.2 TLSv1.3;`,
    `${unit}proxy_ssl_session_reuse on;`,
    '}',
  ];
  return { upstream, location };
}

export function defaultCertificateName(p: Pick<ScaffoldParams, 'name' | 'servers'>): string {
  const host = p.servers.map((s) => s.replace(/:\d+$/, '')).find((h) => isCertificateName(h) || h === 'localhost');
  return host ?? (isCertificateName(p.name) ? p.name : '');
}

/** Edits inserting the scaffold for a cursor at `offset` of `path`; null when no server or http is around. */
export function scaffoldEdits(model: ConfigModel, path: string, text: string, offset: number, p: ScaffoldParams): TextEdit[] | null {
  const block = blockAt(model, path, offset);
  if (!block) return null;
  const unitMatch = /\n(\t+|  +)\S/.exec(text);
  const unit = unitMatch ? (unitMatch[1].startsWith('\t') ? '\t' : unitMatch[1].length >= 4 ? '    ' : unitMatch[1]) : '    ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const { upstream, location } = scaffoldTexts(p, unit);
  let server: LBlock | null = block;
  while (server && server.kind !== 'http/server') server = server.parent;
  const at = lineStart(text, offset);
  if (server && server.owner && server.owner.file.path === path) {
    const serverStart = lineStart(text, server.owner.d.start);
    const serverIndent = indentAt(text, server.owner.d.start);
    const locIndent = serverIndent + unit;
    // The location goes at the cursor line when the cursor is directly in the server, else at its end.
    const locAt = block === server ? at : lineStart(text, server.owner.d.block!.close);
    return [
      { path, start: serverStart, end: serverStart, newText: upstream.map((l) => serverIndent + l + eol).join('') + eol },
      { path, start: locAt, end: locAt, newText: location.map((l) => locIndent + l + eol).join('') },
    ];
  }
  if (block.kind === 'http') {
    const indent = block.owner && block.owner.file.path === path ? indentAt(text, block.owner.d.start) + unit : '';
    const serverText = ['server {', `${unit}listen 80;`, ...location.map((l) => unit + l), '}'];
    return [{ path, start: at, end: at, newText: [...upstream, '', ...serverText].map((l) => (l ? indent + l : l) + eol).join('') }];
  }
  return null;
}
