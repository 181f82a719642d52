import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from 'protobufjs';
import { lookupMessageType, typeNameOf } from '@weft/xds';
import { WRAPPER_SCALARS } from '../proto/proto-scalars';
import { renderSupportMatrix, SUPPORT_MATRIX } from './support-matrix';
import { TYPE } from './type-names';

/** Types with a special JSON form, handled by the proto layer (no matrix entry). */
const WELL_KNOWN = new Set(['google.protobuf.Duration', 'google.protobuf.Any', 'google.protobuf.Struct', ...Object.keys(WRAPPER_SCALARS)]);

function typeOf(name: string): Type {
  const type = lookupMessageType(name);
  if (type === null) throw new Error(`${name} is not loaded`);
  return type;
}

describe('the support matrix', () => {
  it.each(Object.entries(SUPPORT_MATRIX))('%s names only fields of the message', (name, support) => {
    const fields = new Set(typeOf(name).fieldsArray.map((f) => f.name));
    const named = [...support.honoured, ...(support.ignored ?? []), ...Object.keys(support.reasons ?? {}), ...Object.keys(support.anyTypes ?? {})];
    expect(named.filter((f) => !fields.has(f))).toEqual([]);
    const both = support.honoured.filter((f) => (support.ignored ?? []).includes(f) || f in (support.reasons ?? {}));
    expect(both).toEqual([]);
  });

  it('covers every message type reachable through honoured fields and Any payloads', () => {
    const missing = new Set<string>();
    const queue: string[] = [TYPE.bootstrap, TYPE.listener, TYPE.cluster, TYPE.routeConfiguration, TYPE.virtualHost, TYPE.clusterLoadAssignment];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const name = queue.pop() as string;
      if (seen.has(name) || WELL_KNOWN.has(name)) continue;
      seen.add(name);
      const support = SUPPORT_MATRIX[name];
      if (support === undefined) {
        missing.add(name);
        continue;
      }
      const type = typeOf(name);
      for (const field of support.honoured) {
        const rt = type.fields[field].resolvedType;
        if (rt instanceof Type) queue.push(typeNameOf(rt));
      }
      for (const types of Object.values(support.anyTypes ?? {})) queue.push(...types.filter((t) => t !== '*'));
    }
    expect([...missing]).toEqual([]);
    expect(Object.keys(SUPPORT_MATRIX).filter((t) => !seen.has(t))).toEqual([]);
  });

  it('is what docs/proxy-config.md (or docs/proxy.md after the merge) documents', () => {
    const docs = ['docs/proxy-config.md', 'docs/proxy.md'].map((p) => join(__dirname, '../../../../../', p)).filter((p) => existsSync(p));
    const rendered = renderSupportMatrix();
    expect(docs.some((p) => readFileSync(p, 'utf8').includes(rendered))).toBe(true);
  });
});
