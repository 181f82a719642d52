import { isMap, isSeq, parseDocument, type Document, type YAMLMap } from 'yaml';

/** Where a socket address sits in a bootstrap. */
export type SocketRole = 'admin' | 'listener' | 'endpoint';

export interface SocketSite {
  readonly role: SocketRole;
  /** The listener's or cluster's name (`admin` for the admin address). */
  readonly owner: string;
  /** A listener's traffic_direction (`INBOUND`, `OUTBOUND`), else null. */
  readonly direction: string | null;
  readonly address: string;
  readonly port: number;
}

export interface SocketAddress {
  readonly address: string;
  readonly port: number;
}

type Visitor = (site: SocketSite, node: YAMLMap) => void;

function visitSocket(node: unknown, role: SocketRole, owner: string, direction: string | null, visit: Visitor): void {
  if (!isMap(node)) return;
  visit({ role, owner, direction, address: String(node.get('address')), port: Number(node.get('port_value')) }, node);
}

function items(doc: Document, path: readonly string[]): YAMLMap[] {
  const seq = doc.getIn(path, true);
  return isSeq(seq) ? seq.items.filter(isMap) : [];
}

function nested(map: YAMLMap, path: readonly string[]): YAMLMap[] {
  const seq = map.getIn(path, true);
  return isSeq(seq) ? seq.items.filter(isMap) : [];
}

/** Every socket_address of a bootstrap (admin, listeners, cluster endpoints), in file order. */
function visitSockets(doc: Document, visit: Visitor): void {
  visitSocket(doc.getIn(['admin', 'address', 'socket_address'], true), 'admin', 'admin', null, visit);
  for (const listener of items(doc, ['static_resources', 'listeners'])) {
    const direction = listener.get('traffic_direction');
    const socket = listener.getIn(['address', 'socket_address'], true);
    visitSocket(socket, 'listener', String(listener.get('name')), direction === undefined ? null : String(direction), visit);
  }
  for (const cluster of items(doc, ['static_resources', 'clusters'])) {
    for (const locality of nested(cluster, ['load_assignment', 'endpoints'])) {
      for (const lb of nested(locality, ['lb_endpoints'])) {
        visitSocket(lb.getIn(['endpoint', 'address', 'socket_address'], true), 'endpoint', String(cluster.get('name')), null, visit);
      }
    }
  }
}

/** The socket addresses of a bootstrap (snake_case field names, as in demo/bootstrap). */
export function socketSites(yamlText: string): SocketSite[] {
  const sites: SocketSite[] = [];
  visitSockets(parseDocument(yamlText), (site) => sites.push(site));
  return sites;
}

/**
 * The same bootstrap with each socket address replaced by `rewrite(site)`; everything else,
 * comments included, is kept. `header` (comment lines, without `#`) replaces the leading comment.
 */
export function rewriteSockets(yamlText: string, rewrite: (site: SocketSite) => SocketAddress, header?: string): string {
  const doc = parseDocument(yamlText);
  visitSockets(doc, (site, node) => {
    const next = rewrite(site);
    if (next.address !== site.address) node.set('address', next.address);
    if (next.port !== site.port) node.set('port_value', next.port);
  });
  if (header !== undefined) doc.commentBefore = header.split('\n').map((line) => (line === '' ? '' : ` ${line}`)).join('\n');
  return doc.toString({ lineWidth: 0, indentSeq: false });
}
