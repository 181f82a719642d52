import { ruleKindByName, type RuleKindName } from '@weft/api';
import { usageError } from './errors';

/** `vs,dr` / `VirtualServices` → the kinds; an unknown name is a usage error naming it. */
export function resolveKinds(arg: string, verb: string): RuleKindName[] {
  return arg.split(',').map((name) => {
    const kind = ruleKindByName(name.trim());
    if (kind === null) throw usageError(`error: the server doesn't have a resource type "${name}"`, verb);
    return kind;
  });
}

/** kubectl's `virtualservice.networking.istio.io/reviews`. */
export function qualifiedName(kind: RuleKindName | null, kindName: string, name: string): string {
  return `${kindName.toLowerCase()}.${kind?.group ?? 'weft.io'}/${name}`;
}
