// Problems the config model found while expanding includes, reported under their rule.

import { RuleContext } from './rule';

export function modelProblems(ctx: RuleContext, kind: string): void {
  for (const p of ctx.model.problems) {
    if (p.ruleId !== kind) continue;
    // In a fragment analysed alone, relative paths resolve against a guessed folder: say so, do not claim nginx fails.
    const guessed = kind === 'include-missing' && ctx.model.root.synthetic;
    ctx.report({
      file: p.file, start: p.start, end: p.end,
      severity: guessed ? 'warning' : undefined,
      message: p.message + (guessed ? ` (this file is analysed on its own; relative includes were resolved against ${ctx.model.prefix})` : ''),
    });
  }
}
