import { rewriteSockets, type SocketAddress, type SocketSite } from './bootstrap-sockets';
import type { PortPlan, Workload } from './port-plan';

/**
 * A demo bootstrap for deploy/compose.yaml, made from the `npm run up` one (demo/bootstrap/<name>.yaml):
 * there every workload has its own network namespace and fixed address (shared with its sidecar), so
 * an INBOUND listener binds 0.0.0.0 and a cluster endpoint that is a peer's sidecar (its inbound
 * port) becomes that workload's address. Admin, OUTBOUND listeners and the app endpoint stay on
 * loopback; ports do not change.
 */
export function composeBootstrap(plan: PortPlan, workload: Workload, localYaml: string): string {
  const byInbound = new Map(plan.workloads.map((w) => [w.inbound, w]));
  const header = [
    `Sidecar of ${workload.service} ${workload.version} in deploy/compose.yaml (address ${workload.composeAddress}).`,
    `Generated from demo/bootstrap/${workload.name}.yaml by \`npx nx run demo:compose-bootstraps\`:`,
    'edit that file and run the target again; demo/test checks that the two agree.',
  ].join('\n');
  const rewrite = (site: SocketSite): SocketAddress => {
    if (site.role === 'listener' && site.direction === 'INBOUND') return { address: '0.0.0.0', port: site.port };
    const peer = site.role === 'endpoint' ? byInbound.get(site.port) : undefined;
    return peer === undefined ? site : { address: peer.composeAddress, port: site.port };
  };
  return rewriteSockets(localYaml, rewrite, header);
}
