// Problems the config model found while expanding includes, reported under their rule.

import { RuleContext } from './rule';

export function modelProblems(ctx: RuleContext, kind: string): void {
  for (const p of ctx.model.problems) {
    if (p.ruleId !== kind) continue;
    ctx.report({ file: p.file, start: p.start, end: p.end, message: p.message });
  }
}
