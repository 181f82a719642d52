import type { DnsLookupFamily } from '@weft/proxy-core';
import { lookupFamilyArg, selectAddresses, type DnsAddress } from './dns-lookup';

const v4 = (address: string): DnsAddress => ({ address, family: 4 });
const v6 = (address: string): DnsAddress => ({ address, family: 6 });

const MIXED = [v4('10.0.0.1'), v6('fd00::1'), v4('10.0.0.2'), v6('fd00::2')];

describe('dns_lookup_family', () => {
  const cases: [DnsLookupFamily, readonly DnsAddress[], string[]][] = [
    ['AUTO', MIXED, ['fd00::1', 'fd00::2']],
    ['AUTO', [v4('10.0.0.1')], ['10.0.0.1']],
    ['V4_PREFERRED', MIXED, ['10.0.0.1', '10.0.0.2']],
    ['V4_PREFERRED', [v6('fd00::1')], ['fd00::1']],
    ['V4_ONLY', MIXED, ['10.0.0.1', '10.0.0.2']],
    ['V4_ONLY', [v6('fd00::1')], []],
    ['V6_ONLY', MIXED, ['fd00::1', 'fd00::2']],
    ['ALL', MIXED, ['10.0.0.1', 'fd00::1', '10.0.0.2', 'fd00::2']],
    ['ALL', [v4('10.0.0.1'), v4('10.0.0.1'), v4('10.0.0.3')], ['10.0.0.1', '10.0.0.3']],
    ['AUTO', [], []],
  ];

  it.each(cases)('%s keeps the right addresses of %j, in answer order, without duplicates', (family, answer, expected) => {
    expect(selectAddresses(answer, family)).toEqual(expected);
  });

  it.each([
    ['V4_ONLY', 4],
    ['V6_ONLY', 6],
    ['AUTO', 0],
    ['V4_PREFERRED', 0],
    ['ALL', 0],
  ] as const)('%s asks the resolver for family %d', (family, arg) => {
    expect(lookupFamilyArg(family)).toBe(arg);
  });
});
