import { lookup as dnsLookup } from 'node:dns';
import type { DnsLookupFamily } from '@weft/proxy-core';

/** One address of a lookup answer. */
export interface DnsAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/**
 * Looks a hostname up: `family` 4 or 6 asks for that family only, 0 for both (in the resolver's
 * order). Resolves with the addresses — an empty list for a name that does not exist or has no
 * address (NXDOMAIN / no data: an answer, not a failure, as in Envoy) — or rejects with the error.
 * Injectable: unit tests use a fake.
 */
export type DnsLookup = (hostname: string, family: 0 | 4 | 6) => Promise<readonly DnsAddress[]>;

/** Timers of DNS refreshes (injectable: unit tests use a fake clock). Handles are opaque. */
export interface DnsTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What DNS clusters need from the outside: the resolver, timers and randomness for back-off jitter. */
export interface DnsDeps {
  readonly lookup: DnsLookup;
  readonly timers: DnsTimers;
  readonly random: () => number;
}

const NO_ADDRESS: ReadonlySet<string> = new Set(['ENOTFOUND', 'ENODATA']);

/** The system resolver (getaddrinfo on libuv's thread pool: /etc/hosts, /etc/resolv.conf, nsswitch). */
export const systemLookup: DnsLookup = (hostname, family) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { family, all: true, order: 'verbatim' }, (err, addresses) => {
      if (err === null) resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
      else if (err.code !== undefined && NO_ADDRESS.has(err.code)) resolve([]);
      else reject(err);
    });
  });

/** Real timers, unref'd: a pending refresh never keeps the process alive. */
export const systemTimers: DnsTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export const SYSTEM_DNS: DnsDeps = { lookup: systemLookup, timers: systemTimers, random: Math.random };

/** The `family` argument of the lookup for a dns_lookup_family. */
export function lookupFamilyArg(family: DnsLookupFamily): 0 | 4 | 6 {
  if (family === 'V4_ONLY') return 4;
  if (family === 'V6_ONLY') return 6;
  return 0;
}

/**
 * The addresses a dns_lookup_family keeps from an answer, in answer order. AUTO: the IPv6 ones if
 * there are any, else the IPv4 ones; V4_PREFERRED the reverse; ALL: every one; V4_ONLY / V6_ONLY:
 * that family (asked of the resolver, filtered again in case it answers more). Without duplicates.
 */
export function selectAddresses(answer: readonly DnsAddress[], family: DnsLookupFamily): string[] {
  return [...new Set(byFamily(answer, family))]; // an address listed twice is one host, as in Envoy
}

function byFamily(answer: readonly DnsAddress[], family: DnsLookupFamily): string[] {
  const of = (f: 4 | 6): string[] => answer.filter((a) => a.family === f).map((a) => a.address);
  switch (family) {
    case 'V4_ONLY':
      return of(4);
    case 'V6_ONLY':
      return of(6);
    case 'AUTO':
      return of(6).length > 0 ? of(6) : of(4);
    case 'V4_PREFERRED':
      return of(4).length > 0 ? of(4) : of(6);
    case 'ALL':
      return answer.map((a) => a.address);
  }
}
