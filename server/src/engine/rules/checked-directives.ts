// The directives whose name and shape nginx checks: everything except the data inside map/geo/types…
// bodies and inside blocks of directives we do not know.

import { LDir } from '../model/model';
import { ConfigModel } from '../model/model';

export function* checkedDirectives(model: ConfigModel): Generator<LDir> {
  for (const ld of model.all) {
    const k = ld.block.kind;
    if (k === 'raw' || k === 'opaque' || ld.d.name === '') continue;
    yield ld;
  }
}
