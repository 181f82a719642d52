import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseOrThrow } from '@weft/shared';

const port = z.number().int().min(1).max(65535);

const workload = z.object({
  /** Component and bootstrap file name: `productpage`, `reviews-v2`, … */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  service: z.string().regex(/^[a-z][a-z0-9-]*$/),
  version: z.string().regex(/^v\d+$/),
  app: port,
  admin: port,
  outbound: port.nullable(),
  inbound: port,
  /** The workload's fixed address in deploy/compose.yaml (its sidecar shares it). */
  composeAddress: z.ipv4(),
  /** Services its sidecar routes to (OUTBOUND virtual hosts). */
  calls: z.array(z.string()),
});

const portPlan = z.object({
  $comment: z.string().optional(),
  namespace: z.string(),
  /** The port every service is known by (`Host: reviews:9080`, cluster names), as in Istio's bookinfo. */
  servicePort: port,
  composeSubnet: z.cidrv4(),
  workloads: z.array(workload).min(1),
  traffic: z.object({ target: z.string(), path: z.string().startsWith('/'), rps: z.number().positive(), reportSeconds: z.number().positive() }),
});

export type Workload = z.output<typeof workload>;
export type PortPlan = z.output<typeof portPlan>;

/** demo/ (the same from src/bootstrap and dist/bootstrap). */
export const DEMO_DIR = join(__dirname, '..', '..');
export const PORT_PLAN_FILE = join(DEMO_DIR, 'workloads.json');

export function loadPortPlan(file = PORT_PLAN_FILE): PortPlan {
  return parseOrThrow(portPlan, JSON.parse(readFileSync(file, 'utf8')) as unknown, file, 'WEFT_ERR_DEMO_PORT_PLAN');
}

/** `<service>.<namespace>.svc.cluster.local` */
export function serviceHost(plan: PortPlan, service: string): string {
  return `${service}.${plan.namespace}.svc.cluster.local`;
}
