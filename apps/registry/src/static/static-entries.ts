import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import {
  dnsLabel,
  instanceSpec,
  matchesSelector,
  selectorFromLabels,
  serviceSpec,
  type InstanceSpec,
  type ServiceSpec,
} from '@weft/api';
import { fieldIssues, WeftError } from '@weft/shared';

/**
 * Istio `ServiceEntry` / `WorkloadEntry` documents → registry services and instances.
 * A ServiceEntry becomes service `<metadata.namespace>/<metadata.name>` with its hosts and ports; its
 * inline `endpoints` and the WorkloadEntries its `workloadSelector` selects become its instances.
 */

const ISTIO_API = /^networking\.istio\.io\/(v1alpha3|v1beta1|v1)$/;

const metadata = z.object({
  name: dnsLabel,
  namespace: dnsLabel.default('default'),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const workloadFields = {
  address: z.string().min(1),
  ports: z.record(z.string(), z.number().int().min(1).max(65535)).default({}),
  labels: z.record(z.string(), z.string()).default({}),
  weight: z.number().int().min(0).optional(),
  locality: z.string().optional(),
  network: z.string().optional(),
  serviceAccount: z.string().optional(),
};

const serviceEntry = z.object({
  apiVersion: z.string().regex(ISTIO_API, 'must be networking.istio.io/v1alpha3, v1beta1 or v1'),
  kind: z.literal('ServiceEntry'),
  metadata,
  spec: z.object({
    hosts: z.array(z.string()).min(1),
    addresses: z.array(z.string()).optional(),
    ports: z
      .array(z.object({ number: z.number().int(), name: z.string(), protocol: z.string().optional(), targetPort: z.number().int().optional() }))
      .min(1),
    location: z.enum(['MESH_EXTERNAL', 'MESH_INTERNAL']).optional(),
    resolution: z.enum(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN']).optional(),
    endpoints: z.array(z.object(workloadFields)).default([]),
    workloadSelector: z.object({ labels: z.record(z.string(), z.string()) }).optional(),
    exportTo: z.array(z.string()).optional(),
    subjectAltNames: z.array(z.string()).optional(),
  }),
});

const workloadEntry = z.object({
  apiVersion: z.string().regex(ISTIO_API, 'must be networking.istio.io/v1alpha3, v1beta1 or v1'),
  kind: z.literal('WorkloadEntry'),
  metadata,
  spec: z.object(workloadFields),
});

export interface StaticEntries {
  readonly services: ServiceSpec[];
  /** Instances per `<ns>/<service>`. */
  readonly instances: Map<string, InstanceSpec[]>;
}

function fail(doc: string, issues: { path: string; message: string }[]): never {
  const detail = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new WeftError('WEFT_ERR_REGISTRY_STATIC', 'invalid-argument', `${doc}: ${detail}`, { issues });
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, doc: string, prefix = ''): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) fail(doc, fieldIssues(r.error, prefix));
  return r.data;
}

type Workload = z.output<typeof workloadEntry>['spec'];

function toInstance(id: string, w: Workload, doc: string, path: string): InstanceSpec {
  const labels = w.serviceAccount === undefined ? w.labels : { ...w.labels };
  return parseWith(
    instanceSpec,
    {
      id,
      address: w.address,
      ports: w.ports,
      labels,
      weight: w.weight === undefined || w.weight === 0 ? 1 : w.weight,
      locality: w.locality ?? null,
      metadata: w.serviceAccount === undefined ? {} : { serviceAccount: w.serviceAccount },
      ttlSeconds: null,
    },
    doc,
    path,
  );
}

/** Parses a multi-document YAML file; throws one WeftError naming the document and field. */
export function parseStaticEntries(text: string, fileName: string): StaticEntries {
  const docs = parseAllDocuments(text);
  const entries: z.output<typeof serviceEntry>[] = [];
  const workloads: z.output<typeof workloadEntry>[] = [];
  docs.forEach((d, idx) => {
    const where = `${fileName} document ${idx + 1}`;
    if (d.errors.length > 0) fail(where, [{ path: '(yaml)', message: d.errors[0].message }]);
    const value = d.toJS() as unknown;
    if (value === null || value === undefined) return;
    const kind = (value as { kind?: unknown }).kind;
    const name = (value as { metadata?: { name?: unknown } }).metadata?.name;
    const doc = `${where} (${String(kind)} ${String(name)})`;
    if (kind === 'ServiceEntry') entries.push(parseWith(serviceEntry, value, doc));
    else if (kind === 'WorkloadEntry') workloads.push(parseWith(workloadEntry, value, doc));
    else fail(doc, [{ path: 'kind', message: 'must be ServiceEntry or WorkloadEntry' }]);
  });
  return assemble(entries, workloads, fileName);
}

function assemble(
  entries: z.output<typeof serviceEntry>[],
  workloads: z.output<typeof workloadEntry>[],
  fileName: string,
): StaticEntries {
  const services: ServiceSpec[] = [];
  const instances = new Map<string, InstanceSpec[]>();
  for (const se of entries) {
    const { name, namespace } = se.metadata;
    const doc = `${fileName} (ServiceEntry ${namespace}/${name})`;
    const spec = parseWith(
      serviceSpec,
      {
        namespace,
        name,
        hosts: se.spec.hosts,
        ports: se.spec.ports.map((p) => ({ name: p.name, number: p.number, protocol: p.protocol ?? 'tcp' })),
        labels: se.metadata.labels ?? {},
      },
      doc,
      'spec',
    );
    services.push(spec);
    const list = se.spec.endpoints.map((ep, i) => toInstance(`${name}-${i}`, ep, doc, `spec.endpoints.${i}`));
    if (se.spec.workloadSelector !== undefined) {
      const sel = selectorFromLabels(se.spec.workloadSelector.labels);
      for (const we of workloads) {
        if (we.metadata.namespace !== namespace || !matchesSelector(sel, we.spec.labels)) continue;
        list.push(toInstance(we.metadata.name, we.spec, `${fileName} (WorkloadEntry ${namespace}/${we.metadata.name})`, 'spec'));
      }
    }
    instances.set(`${namespace}/${name}`, list);
  }
  return { services, instances };
}
