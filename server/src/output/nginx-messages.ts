// Reading nginx's own messages (`nginx -t` output) back into file, line and text.

export interface NginxMessage {
  level: string;
  message: string;
  file?: string;
  line?: number;
}

/** `nginx: [emerg] host not found in upstream "x" in /etc/nginx/nginx.conf:12` → its parts. */
export function parseNginxOutput(output: string): NginxMessage[] {
  const out: NginxMessage[] = [];
  for (const raw of output.split('\n')) {
    const m = /\[(emerg|alert|crit|error|warn|notice)\]\s+(?:\d+#\d+:\s+)?(.*)$/.exec(raw.trimEnd());
    if (!m) continue;
    // The location is the last " in FILE:LINE"; messages themselves may contain " in ".
    const loc = /^(.*) in (\S+):(\d+)$/.exec(m[2]);
    out.push(loc ? { level: m[1], message: loc[1], file: loc[2], line: parseInt(loc[3], 10) } : { level: m[1], message: m[2] });
  }
  return out;
}
