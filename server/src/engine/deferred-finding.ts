// A finding whose range, related locations and fixes are worked out when first read: an analysis of a big
// config makes tens of thousands of findings, and most of them are only counted, filtered or shown a page at
// a time. Plain fields for everything else, so the shape stays a plain-data `Finding` to its readers.

import { Range } from './syntax/positions';
import { Finding, Fix, RelatedLocation, Severity } from './types';

export abstract class DeferredFinding implements Finding {
  readonly nginxLine?: number;
  /** What is made when first read, and fixes given from outside (replaceFixes). */
  private made: { range?: Range; related?: RelatedLocation[]; fixes?: Fix[] } | null = null;

  constructor(
    /**
     * The id as given, or the counter of findings of this rule on this same span (0 for the first), from which
     * the id is spelt when asked: most findings of a big analysis never have theirs read.
     */
    readonly key: string | number,
    readonly ruleId: string,
    readonly severity: Severity,
    private spelt: string | ((about: never) => string),
    readonly path: string,
    readonly start: number,
    readonly end: number,
    nginxLine: number | undefined,
  ) {
    if (nginxLine !== undefined) this.nginxLine = nginxLine;
  }

  /**
   * Names the finding to the adapters (LSP diagnostics carry it back in code actions): rule, place, counter.
   * The place is lines and columns, not offsets: after a keystroke the findings on other lines keep their
   * ids, so that the server sends their diagnostics on as they were instead of making them again.
   */
  get id(): string {
    const k = this.key;
    if (typeof k === 'string') return k;
    const { start, end } = this.range;
    return `${this.ruleId}@${this.path}:${start.line}:${start.character}-${end.line}:${end.character}${k ? '#' + k : ''}`;
  }

  /** What a message or fix function given by the rule works from (see RuleFinding.about). */
  protected about: unknown = undefined;

  get message(): string {
    const m = this.spelt;
    if (typeof m === 'string') return m;
    let s: string;
    try {
      s = (m as (about: unknown) => string)(this.about);
    } catch (e) {
      s = `(the message could not be made: ${(e as Error).message})`;
    }
    this.spelt = s;
    return s;
  }

  protected abstract makeRange(): Range;
  protected abstract makeRelated(): RelatedLocation[];
  protected abstract makeFixes(only?: 'preferred'): Fix[];

  private get cache(): { range?: Range; related?: RelatedLocation[]; fixes?: Fix[] } {
    return (this.made ??= {});
  }

  get range(): Range {
    return (this.cache.range ??= this.makeRange());
  }

  get related(): RelatedLocation[] {
    return (this.cache.related ??= this.makeRelated());
  }

  /**
   * Made at each read, not kept: JSON and SARIF read every finding's fixes once, and keeping tens of thousands
   * of them held a hundred megabytes to the end of the run. A reader that needs them twice keeps what it got.
   */
  get fixes(): Fix[] {
    return this.made?.fixes ?? this.makeFixes();
  }

  /**
   * The preferred fixes, made without the others where the rule can (see RuleFinding.fixes): choosing the fixes
   * to apply unattended made every finding's alternatives, and threw them away.
   */
  preferredFixes(): Fix[] {
    return (this.made?.fixes ?? this.makeFixes('preferred')).filter((x) => x.isPreferred);
  }

  /** Fixes given from outside instead of the rule's (told-once.ts marks them unsafe): kept, and read from then on. */
  replaceFixes(fixes: Fix[]): void {
    this.cache.fixes = fixes;
  }

  /** Serialised as the plain data it stands for. */
  toJSON(): Finding {
    const out: Finding = { id: this.id, ruleId: this.ruleId, severity: this.severity, message: this.message, path: this.path, start: this.start, end: this.end, range: this.range, fixes: this.fixes, related: this.related };
    if (this.nginxLine !== undefined) out.nginxLine = this.nginxLine;
    return out;
  }
}
