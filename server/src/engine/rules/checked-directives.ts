// The directives whose name and shape nginx checks: everything except the data inside map/geo/types…
// bodies and inside blocks of directives we do not know.

import { ConfigModel, LDir } from '../model/model';

const cache = new WeakMap<ConfigModel, LDir[]>();

export function checkedDirectives(model: ConfigModel): LDir[] {
  let hit = cache.get(model);
  if (!hit) {
    hit = model.all.filter((ld) => ld.block.kind !== 'raw' && ld.block.kind !== 'opaque' && ld.d.name !== '');
    cache.set(model, hit);
  }
  return hit;
}
