// The backend's certificate leads to a trusted CA, through more intermediates than the verify depth allows.

import { tlsSettings } from '../model/tls-settings';
import { usesWithBackends, verifyChain, readsBackendsAnd } from '../certificates/handshake';
import { SERVER_INPUTS } from '../model/servers';
import { describeCertificate } from '../certificates/files';
import { insertDirectives, setArguments } from '../fixes/edits';
import { changesAnotherBackend, isFlagOn, settingsBlock, TLS_USE_INPUTS } from '../model/tls-uses';
import { tlsDirective } from '../knowledge/tls-directives';
import { Fix } from '../types';
import { argSpan, Rule } from './rule';
import { conf } from './case-text';

export const upstreamTlsChainTooDeep: Rule = {
  id: 'upstream-tls-chain-too-deep',
  defaultSeverity: 'error',
  title: 'The upstream\'s chain has more intermediates than the verify depth allows',
  nginxRejects: false,
  reads: readsBackendsAnd(TLS_USE_INPUTS, SERVER_INPUTS),
  explanation: `\`proxy_ssl_verify_depth N\` (default 1) lets nginx accept at most N intermediate CAs between the upstream's
certificate and the trusted CA (measured: depth 1 accepts a leaf issued by an intermediate of the root, and
refuses one two intermediates down). When the backend is a server of the same config, its chain is known: one
that is too deep fails every handshake with a 502 and "upstream SSL certificate verify error: (20:unable to get
local issuer certificate)" (OpenSSL names no depth). The fix sets the depth the chain needs.`,
  cases: {
    messages: {
      tooDeep: / intermediate CAs below the trusted .*, but \w+_ssl_verify_depth is/,
    },
    valid: [
      {
        config: conf`
          server {
              listen 127.0.0.1:8443 ssl;
              server_name backend.test;
              ssl_certificate server.crt;
              ssl_certificate_key server.key;
          }
          server {
              listen 127.0.0.1:8080;
              location / {
                  proxy_pass https://127.0.0.1:8443;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate root.crt;
                  proxy_ssl_name backend.test;
                  proxy_ssl_verify_depth 0;
              }
          }
        `,
        context: 'http',
        files: { 'server.crt': 'server-cert', 'server.key': 'server-key', 'root.crt': 'root-ca' },
      },
    ],
    invalid: [
      {
        config: conf`
          server {
              listen 127.0.0.1:8443 ssl;
              server_name backend.test;
              ssl_certificate chain.crt;
              ssl_certificate_key server.key;
          }
          server {
              listen 127.0.0.1:8080;
              location / {
                  proxy_pass https://127.0.0.1:8443;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate root.crt;
                  proxy_ssl_name backend.test;
                  proxy_ssl_verify_depth 0;
              }
          }
        `,
        context: 'http',
        errors: [{ line: 10, column: 20, messageId: 'tooDeep' }],
        files: { 'chain.crt': 'deep-chain', 'server.key': 'deep-key', 'root.crt': 'root-ca' },
        fixed: conf`
          server {
              listen 127.0.0.1:8443 ssl;
              server_name backend.test;
              ssl_certificate chain.crt;
              ssl_certificate_key server.key;
          }
          server {
              listen 127.0.0.1:8080;
              location / {
                  proxy_pass https://127.0.0.1:8443;
                  proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate root.crt;
                  proxy_ssl_name backend.test;
                  proxy_ssl_verify_depth 1;
              }
          }
        `,
      },
    ],
  },
  check(ctx) {
    const files = ctx.certificates;
    if (!files) return;
    const model = ctx.model;
    const withBackends = usesWithBackends(model, files);
    const settings = tlsSettings(model);
    for (let useIndex = 0; useIndex < withBackends.length; useIndex++) {
      const { use, backends } = withBackends[useIndex];
      if (!isFlagOn(settings.get(use, 'verify'))) continue;
      const trustedDir = settings.get(use, 'trusted_certificate');
      const trustedRef = trustedDir && files.ref(model, trustedDir);
      const trusted = trustedRef ? files.read(model, trustedRef)?.certificates : undefined;
      if (!trusted?.length) continue;
      const depthName = tlsDirective(use.family, 'verify_depth');
      const depthDir = settings.get(use, 'verify_depth');
      const depth = depthDir ? parseInt(depthDir.d.args[0]?.value ?? '', 10) : 1;
      if (!Number.isFinite(depth)) continue;
      for (const b of backends) {
        const v = verifyChain(files, b.chain, trusted);
        if (!v.ok || v.intermediates <= depth) continue;
        const block = settingsBlock(use.block);
        // Not where another backend reads the same depth (an `if` branch, a nested location): its checks would loosen.
        const shared = changesAnotherBackend(model, use, block, [depthName]);
        const edit = shared ? null : depthDir && depthDir.block === block ? setArguments(depthDir, String(v.intermediates)) : insertDirectives(block, [`${depthName} ${v.intermediates};`], use.pass);
        const fixes: Fix[] = edit ? [{ title: `Set ${depthName} ${v.intermediates}`, edits: [edit], isPreferred: true, safe: false }] : [];
        ctx.report({
          message: `The backend at ${b.host}:${b.port} ${b.where} presents ${describeCertificate(b.chain[0])}, ${v.intermediates} intermediate CAs below the trusted "${v.anchor.subject}", but ${depthName} is ${depth}${depthDir ? '' : ' (the default)'}: every request gets 502, error log "upstream SSL certificate verify error: (20:unable to get local issuer certificate)". Set ${depthName} ${v.intermediates}.`,
          related: [...(depthDir ? [{ ld: depthDir, message: 'the depth in effect' }] : []), ...(b.certificate ? [{ ld: b.certificate.ld, message: 'the chain the backend presents' }] : [])],
          fixes,
          ...argSpan(use.pass, 0),
        });
      }
    }
  },
};
