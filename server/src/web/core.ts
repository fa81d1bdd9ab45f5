// What `./core` is in the browser bundles (scripts/build.mjs): the engine, without the disk file system and the
// CLI's outputs that server/src/core.ts also carries (they import Node's path and url). The TLS report is plain
// text over the inventory (no Node), so the web server answers the inventory and report requests with it.

export * from '../engine';
export { mergeInventories, reportHtml } from '../output/report';
/** Where a diagnostic's rule is explained; the same as output/sarif.ts's (test/browser checks). */
export const RULE_DOCS = 'https://github.com/nginx-tls-proxy/nginx-tls-proxy/blob/main/docs/rules/';
