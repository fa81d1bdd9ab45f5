// `parse FILE --format json`: the parsed config in a shape close to crossplane's payload.

import { ConfigModel, LBlock } from '../model/model';
import { FileSystem } from '../model/filesystem';
import { inferContext } from '../model/context-inference';
import { parse } from '../syntax/parser';
import { lineOf } from '../syntax/positions';

interface JsonDirective {
  directive: string;
  line: number;
  args: string[];
  includes?: number[];
  block?: JsonDirective[];
}

export function parseJson(file: string, fs: FileSystem): unknown {
  const text = fs.readFile(file) ?? '';
  const kind = inferContext(parse(text));
  const model = new ConfigModel(file, fs, { rootKind: kind });
  const files = [...model.files.keys()];
  const index = new Map(files.map((f, i) => [f, i]));
  const perFile = new Map<string, JsonDirective[]>(files.map((f) => [f, []]));
  // Rebuild each file's own tree (includes point at other entries of `config`, as crossplane does).
  const build = (block: LBlock, out: Map<string, JsonDirective[]>, holder: (path: string) => JsonDirective[]) => {
    const stack: { b: LBlock; target: (p: string) => JsonDirective[] }[] = [{ b: block, target: holder }];
    while (stack.length) {
      const { b, target } = stack.pop()!;
      const ldList = b.items;
      for (let ldIndex = 0; ldIndex < ldList.length; ldIndex++) {
        const ld = ldList[ldIndex];
        const j: JsonDirective = { directive: ld.name, line: lineOf(ld.file.tree.nginxLineStarts, ld.d.start) + 1, args: ld.d.args.map((a) => a.value) };
        if (ld.d.lua) j.args = [ld.file.tree.text.slice(ld.d.lua.start, ld.d.lua.end)];
        if (ld.name === 'include') {
          const incl = model.includedBy(ld).map((x) => x.file.path);
          j.includes = [...new Set(incl)].map((p) => index.get(p)!).filter((x) => x !== undefined);
        }
        // Only directives whose file is the current holder's go into this list.
        target(ld.file.path).push(j);
        if (ld.child) {
          j.block = [];
          const own = ld.file.path;
          const list = j.block;
          stack.push({ b: ld.child, target: (p) => (p === own ? list : out.get(p)!) });
        }
      }
    }
  };
  build(model.root, perFile, (p) => perFile.get(p)!);
  return {
    status: model.files.size && [...model.files.values()].every((f) => f.tree.errors.length === 0) ? 'ok' : 'failed',
    errors: [...model.files.values()].flatMap((f) => f.tree.errors.map((e) => ({ file: f.path, line: e.nginxLine, error: e.message }))),
    config: files.map((f) => ({
      file: f,
      status: model.files.get(f)!.tree.errors.length ? 'failed' : 'ok',
      errors: model.files.get(f)!.tree.errors.map((e) => ({ line: e.nginxLine, error: e.message })),
      parsed: perFile.get(f),
    })),
  };
}
