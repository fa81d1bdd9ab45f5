// Hover on a certificate, key or CA path: what the file holds, certificate by certificate.

import { CertificateFiles, daysUntil, isoDate } from '../certificates/files';
import { CertificateInfo, KeyInfo } from '../certificates/types';
import { lineNumber } from '../model/describe';
import { ConfigModel, LDir } from '../model/model';

function keyWords(k: { keyType: string; keySize?: number; curve?: string }): string {
  return `${k.keyType}${k.keySize ? ' ' + k.keySize + ' bits' : ''}${k.curve ? ' (' + k.curve + ')' : ''}`;
}

function validity(c: CertificateInfo, now: number): string {
  const left = daysUntil(c.notAfter, now);
  const state = c.notBefore > now ? 'not valid yet' : left < 0 ? `**expired ${-left} days ago**` : `${left} days left`;
  return `${isoDate(c.notBefore)} to ${isoDate(c.notAfter)} (${state})`;
}

function certificateLines(c: CertificateInfo, now: number): string[] {
  return [
    `- Subject: \`${c.subject || '(empty)'}\``,
    `- Issuer: \`${c.issuer}\`${c.selfSigned ? ' (self-signed)' : ''}`,
    `- DNS names: ${c.dnsNames.length ? c.dnsNames.map((n) => '`' + n + '`').join(', ') : 'none'}; IP addresses: ${c.ipAddresses.length ? c.ipAddresses.map((n) => '`' + n + '`').join(', ') : 'none'}`,
    `- Valid: ${validity(c, now)}`,
    `- Key: ${keyWords(c)}; CA: ${c.isCa ? 'yes' : 'no'}`,
    `- SHA-256: \`${c.fingerprint256}\``,
  ];
}

function keyLines(model: ConfigModel, files: CertificateFiles, k: KeyInfo): string[] {
  if (k.encrypted) return ['- Encrypted private key (nginx reads it with `ssl_password_file`)'];
  const lines = [`- Private key: ${keyWords(k)}`];
  const owners = files.refs(model).filter((r) => r.role === 'certificate' && files.read(model, r)?.certificates[0]?.publicKeyId === k.publicKeyId);
  const seen = new Set<string>();
  const named = owners.filter((o) => !seen.has(o.path) && !!seen.add(o.path));
  if (named.length) for (const o of named) lines.push(`- Belongs to the certificate \`${o.configured}\` (${o.ld.file.path.split('/').pop()}:${lineNumber(o.ld)}), \`${files.read(model, o)!.certificates[0].subject}\``);
  else lines.push('- Belongs to no certificate this config names');
  return lines;
}

export function certificateHover(model: ConfigModel, files: CertificateFiles, ld: LDir, now: number): string | null {
  const ref = files.ref(model, ld);
  if (!ref) return null;
  const where = ref.mapped ? ` — read here as \`${ref.path}\` (path map)` : ref.path !== ref.configured ? ` — \`${ref.path}\`` : '';
  const title = `**${ref.role === 'key' ? 'Key file' : ref.role === 'ca' ? 'CA file' : ref.role === 'crl' ? 'CRL file' : 'Certificate file'}**${where}`;
  const state = files.state(model, ref);
  if (state.kind === 'elsewhere') return `${title}\n\nNot on this machine. Map the server's folder to the workspace with \`nginxTlsProxy.pathMap\` to have it checked.`;
  if (state.kind === 'missing') return `${title}\n\nCannot be read: ${state.error}.`;
  const f = state.file;
  const parts = [title];
  const certs = f.certificates;
  certs.forEach((c, i) => parts.push((certs.length > 1 ? `Certificate ${i + 1} of ${certs.length}${i === 0 && ref.role === 'certificate' ? ' (the one nginx presents)' : ''}\n\n` : '') + certificateLines(c, now).join('\n')));
  for (const k of f.keys) parts.push(keyLines(model, files, k).join('\n'));
  if (f.crls) parts.push(`${f.crls} CRL${f.crls > 1 ? 's' : ''}`);
  if (f.broken.length) parts.push('Unreadable blocks: ' + f.broken.join('; '));
  if (parts.length === 1) parts.push('No PEM certificate or key in it.');
  return parts.join('\n\n');
}
