// Command-line arguments: a table of commands and their options, parsed with node:util parseArgs.
// Options may come before or after the paths (and before the command); `--` ends the options; an unknown
// option, a missing value or an option the command does not take is a UsageError naming it (exit 2).

import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder of the value in the help text (string options). */
  value?: string;
  help: string;
}

export interface CommandSpec {
  /** `check [options] [paths...]` */
  usage: string;
  summary: string;
  /** Names of the options the command takes (keys of `options` passed to `parse`), besides the global ones. */
  takes: readonly string[];
  /** Extra lines at the end of `help <command>`. */
  notes?: string;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', help: 'show help (of the command, after one) and exit' },
  version: { type: 'boolean', short: 'V', help: 'print the version and exit' },
  color: {
    type: 'string',
    value: 'auto|always|never',
    help: 'colour in text output (default auto: only on a terminal, never with NO_COLOR)',
  },
  'no-color': { type: 'boolean', help: 'same as --color never' },
};

export interface Parsed {
  /** The command name ('' when none was given). */
  command: string;
  positionals: string[];
  /** Option values by name; repeatable options are arrays. */
  values: Record<string, string | boolean | string[] | undefined>;
  help: boolean;
  version: boolean;
}

/**
 * Parses `argv` (without node and the script) against the commands' table. The first positional is the
 * command; the options are checked against what that command takes.
 */
export function parse(
  argv: string[],
  commands: Readonly<Record<string, CommandSpec>>,
  options: Readonly<Record<string, OptionSpec>>,
): Parsed {
  const all = { ...GLOBAL_OPTIONS, ...options };
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries(all))
    config[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  // strict: false and tokens: the checks below give messages that name the option as the user wrote it.
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    options: config,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const command = positionals[0] ?? '';
  const spec = Object.prototype.hasOwnProperty.call(commands, command) ? commands[command] : undefined;
  if (command && !spec) throw new UsageError(`unknown command "${command}"`);
  const allowed = new Set([...Object.keys(GLOBAL_OPTIONS), ...(spec?.takes ?? Object.keys(options))]);
  for (const t of tokens ?? []) {
    if (t.kind !== 'option') continue;
    const o = Object.prototype.hasOwnProperty.call(all, t.name) ? all[t.name] : undefined;
    if (!o) throw new UsageError(`unknown option ${t.rawName}`);
    if (!allowed.has(t.name)) throw new UsageError(`${command} does not take ${t.rawName}`);
    if (o.type === 'string' && t.value === undefined)
      throw new UsageError(`${t.rawName} needs a value${o.value ? ` (${o.value})` : ''}`);
    if (o.type === 'boolean' && t.value !== undefined) throw new UsageError(`${t.rawName} takes no value`);
  }
  return {
    command,
    positionals: positionals.slice(1),
    values: values as Parsed['values'],
    help: values.help === true,
    version: values.version === true,
  };
}

/** The value of a string option given once (the last one wins when repeated). */
export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? v[v.length - 1] : undefined;
}

export function list(p: Parsed, name: string): string[] {
  const v = p.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

/** Whether text output may be coloured: --color/--no-color, else only on a TTY and never with NO_COLOR. */
export function useColor(p: Parsed, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const c = str(p, 'color');
  if (c !== undefined && c !== 'auto' && c !== 'always' && c !== 'never')
    throw new UsageError(`--color: "${c}" is not auto, always or never`);
  if (flag(p, 'no-color') || c === 'never') return false;
  if (c === 'always') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** A help row: the text in a column of its own, on the next line when the head is too wide for its column. */
function helpRow(head: string, text: string): string {
  return `  ${head.padEnd(34)}${head.length >= 34 ? '\n' + ' '.repeat(36) : ''}${text}`;
}

function optionLine(name: string, o: OptionSpec): string {
  const head = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
  return helpRow(head, `${o.help}${o.multiple ? ' (repeatable)' : ''}`);
}

/** The general help: every command, then the global options. */
export function generalHelp(program: string, commands: Readonly<Record<string, CommandSpec>>): string {
  const rows = Object.values(commands).map((c) => helpRow(c.usage, c.summary));
  return (
    `usage: ${program} <command> [options] [paths...]\n\ncommands:\n${rows.join('\n')}\n\noptions:\n` +
    Object.entries(GLOBAL_OPTIONS)
      .map(([n, o]) => optionLine(n, o))
      .join('\n') +
    `\n\nrun "${program} help <command>" for the options of a command.\n` +
    `exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or I/O error.\n`
  );
}

/** Help for one command: its usage, summary and options. */
export function commandHelp(
  program: string,
  name: string,
  spec: CommandSpec,
  options: Readonly<Record<string, OptionSpec>>,
): string {
  const own = spec.takes.map((n) => optionLine(n, options[n]));
  return (
    `usage: ${program} ${spec.usage}\n\n${spec.summary}\n\n` +
    (own.length ? `options:\n${own.join('\n')}\n\n` : '') +
    `global options:\n${Object.entries(GLOBAL_OPTIONS)
      .map(([n, o]) => optionLine(n, o))
      .join('\n')}\n` +
    (spec.notes ? `\n${spec.notes.trimEnd()}\n` : '')
  );
}
