import { RuleValidationError } from '@weft/api';
import { ruleIdentities } from './rule-identity';

describe('ruleIdentities (weftctl delete -f)', () => {
  const vs = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: reviews, namespace: shop }\nspec: { hosts: [reviews] }\n';

  it.each([
    ['a trailing separator', `${vs}---\n`],
    ['a leading separator and a comment-only document', `---\n# nothing here\n---\n${vs}`],
  ])('ignores empty documents (%s), as apply does', (_what, text) => {
    expect(ruleIdentities([{ source: 'rules.yaml', text }]).map((r) => r.key)).toEqual(['VirtualService/shop/reviews']);
  });

  it('still names the document and field of one it cannot use', () => {
    expect(() => ruleIdentities([{ source: 'rules.yaml', text: `${vs}---\nkind: Gateway\nmetadata: { name: x }\n` }])).toThrow(RuleValidationError);
    expect(() => ruleIdentities([{ source: 'rules.yaml', text: `${vs}---\nkind: Gateway\nmetadata: { name: x }\n` }])).toThrow(/rules\.yaml#2 Gateway default\/x: kind/);
  });
});
