import { BlockList, isIPv4 } from 'node:net';
import {
  CompiledHeaderMatcher,
  CompiledStringMatcher,
  matchHeader,
  matchString,
  matchStringRange,
  type CidrRangeModel,
  type RbacMatcherModel,
} from '@weft/proxy-core';
import type { RequestContext } from '../../listener/request-context';

/**
 * Envoy's RBAC Permission / Principal trees, compiled once per config into nodes of one fixed shape
 * and evaluated per request by one module-level function: a switch on the node's op, no closures,
 * no allocation (the path is matched up to its `?` in place).
 */
// Bound once: calls through the package's re-export getters cost a property lookup per call.
const headerMatches = matchHeader;
const stringMatches = matchString;
const rangeMatches = matchStringRange;

const OP_ANY = 0;
const OP_AND = 1;
const OP_OR = 2;
const OP_NOT = 3;
const OP_HEADER = 4;
const OP_URL_PATH = 5;
const OP_DESTINATION_IP = 6;
const OP_DESTINATION_PORT = 7;
const OP_DESTINATION_PORT_RANGE = 8;
const OP_SNI = 9;
const OP_AUTHENTICATED = 10;
const OP_DIRECT_REMOTE_IP = 11;
const OP_REMOTE_IP = 12;

export class RbacNode {
  constructor(
    readonly op: number,
    readonly children: readonly RbacNode[],
    readonly string: CompiledStringMatcher | null,
    readonly header: CompiledHeaderMatcher | null,
    readonly cidr: BlockList | null,
    /** destination_port, or the start of destination_port_range. */
    readonly low: number,
    /** The (exclusive) end of destination_port_range. */
    readonly high: number,
  ) {}
}

/** What a request is checked against besides its RequestContext (fixed per filter). */
export interface RbacTarget {
  /** The local app port of an INBOUND listener: a `destination_port` naming it matches (Istio's ports are workload ports). */
  readonly appPort: number | null;
}

function node(op: number, children: readonly RbacNode[] = [], string: CompiledStringMatcher | null = null): RbacNode {
  return new RbacNode(op, children, string, null, null, 0, 0);
}

function cidrNode(op: number, cidr: CidrRangeModel): RbacNode {
  const list = new BlockList();
  list.addSubnet(cidr.address, cidr.prefixLen, isIPv4(cidr.address) ? 'ipv4' : 'ipv6');
  return new RbacNode(op, [], null, null, list, 0, 0);
}

/** Throws Re2PatternError for a regex that cannot be compiled (the converter has checked them). */
export function compileRbacMatcher(m: RbacMatcherModel): RbacNode {
  switch (m.kind) {
    case 'any':
      return node(OP_ANY);
    case 'and':
      return node(OP_AND, m.rules.map(compileRbacMatcher));
    case 'or':
      return node(OP_OR, m.rules.map(compileRbacMatcher));
    case 'not':
      return node(OP_NOT, [compileRbacMatcher(m.rule)]);
    case 'header':
      return new RbacNode(OP_HEADER, [], null, new CompiledHeaderMatcher(m.header), null, 0, 0);
    case 'url_path':
      return node(OP_URL_PATH, [], new CompiledStringMatcher(m.match));
    case 'destination_ip':
      return cidrNode(OP_DESTINATION_IP, m.cidr);
    case 'destination_port':
      return new RbacNode(OP_DESTINATION_PORT, [], null, null, null, m.port, 0);
    case 'destination_port_range':
      return new RbacNode(OP_DESTINATION_PORT_RANGE, [], null, null, null, m.start, m.end);
    case 'requested_server_name':
      return node(OP_SNI, [], new CompiledStringMatcher(m.match));
    case 'authenticated':
      return node(OP_AUTHENTICATED, [], m.principalName === null ? null : new CompiledStringMatcher(m.principalName));
    case 'direct_remote_ip':
      return cidrNode(OP_DIRECT_REMOTE_IP, m.cidr);
    case 'remote_ip':
      return cidrNode(OP_REMOTE_IP, m.cidr);
  }
}

/** Whether the request matches the node. */
export function matchRbac(n: RbacNode, ctx: RequestContext, target: RbacTarget): boolean {
  switch (n.op) {
    case OP_ANY:
      return true;
    case OP_AND:
      for (let i = 0; i < n.children.length; i++) if (!matchRbac(n.children[i], ctx, target)) return false;
      return true;
    case OP_OR:
      for (let i = 0; i < n.children.length; i++) if (matchRbac(n.children[i], ctx, target)) return true;
      return false;
    case OP_NOT:
      return !matchRbac(n.children[0], ctx, target);
    default:
      return matchLeaf(n, ctx, target);
  }
}

function matchLeaf(n: RbacNode, ctx: RequestContext, target: RbacTarget): boolean {
  const socket = ctx.req.socket;
  switch (n.op) {
    case OP_HEADER:
      return headerMatches(n.header as CompiledHeaderMatcher, ctx);
    case OP_URL_PATH: {
      const q = ctx.path.indexOf('?');
      return rangeMatches(n.string as CompiledStringMatcher, ctx.path, 0, q === -1 ? ctx.path.length : q);
    }
    case OP_DESTINATION_PORT:
      return n.low === socket?.localPort || n.low === target.appPort;
    case OP_DESTINATION_PORT_RANGE:
      return inRange(n, socket?.localPort) || inRange(n, target.appPort);
    case OP_DESTINATION_IP:
      return inCidr(n, socket?.localAddress);
    case OP_SNI:
      return stringMatches(n.string as CompiledStringMatcher, serverName(socket));
    case OP_AUTHENTICATED:
      return ctx.peerPrincipal !== null && (n.string === null || stringMatches(n.string, ctx.peerPrincipal));
    default:
      // direct_remote_ip and remote_ip: no trusted x-forwarded-for hops, so both are the peer address.
      return inCidr(n, ctx.downstreamAddress);
  }
}

function inRange(n: RbacNode, port: number | null | undefined): boolean {
  return port !== null && port !== undefined && port >= n.low && port < n.high;
}

function inCidr(n: RbacNode, address: string | undefined): boolean {
  if (address === undefined || address === '') return false;
  const list = n.cidr as BlockList;
  if (isIPv4(address)) return list.check(address, 'ipv4');
  // An IPv4 client on a dual-stack socket: `::ffff:a.b.c.d` is checked as a.b.c.d.
  if (address.startsWith('::ffff:') && address.includes('.')) return list.check(address.slice(7), 'ipv4');
  return list.check(address, 'ipv6');
}

function serverName(socket: unknown): string {
  const name = (socket as { servername?: string | false | null } | null)?.servername;
  return typeof name === 'string' ? name : '';
}
