// Checks a compose file against the repository: every build's Dockerfile exists, every service built
// here states how many replicas it runs (deploy.replicas, or a comment saying why not), a replicated
// service publishes no fixed host port (replicas would fight over it), depends_on names real services.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { Document, Pair, Scalar, YAMLMap, isMap, isScalar, parseDocument } from 'yaml';

interface Build {
  context?: string;
  dockerfile?: string;
}

interface Service {
  build?: string | Build;
  deploy?: { replicas?: number | string };
  ports?: Array<string | number | { published?: string | number }>;
  depends_on?: string[] | Record<string, unknown>;
}

/** A published host port that is a single fixed number (not absent, not a range). */
function fixedHostPort(port: string | number | { published?: string | number }): string | null {
  if (typeof port === 'object') {
    return port.published !== undefined && /^\d+$/.test(String(port.published)) ? String(port.published) : null;
  }
  const spec = String(port).replace(/\/(tcp|udp|sctp)$/, '');
  const parts = spec.replace(/^\[[^\]]*\]:/, 'ip:').split(':');
  if (parts.length < 2) return null; // container port only: an ephemeral host port
  const host = parts[parts.length - 2];
  return /^\d+$/.test(host) ? host : null;
}

/** Comments written above or beside the service's key in the YAML. */
function serviceComments(doc: Document, name: string): string {
  const services = doc.get('services', true);
  if (!isMap(services)) return '';
  const pair = (services as YAMLMap).items.find((item: Pair) => isScalar(item.key) && (item.key as Scalar).value === name);
  if (pair === undefined) return '';
  const key = pair.key as Scalar;
  const value = pair.value as { commentBefore?: string | null; comment?: string | null } | null;
  return [key.commentBefore, key.comment, value?.commentBefore, value?.comment].filter(Boolean).join('\n');
}

function checkBuild(file: string, name: string, build: string | Build): string[] {
  const spec = typeof build === 'string' ? { context: build } : build;
  const context = resolve(dirname(file), spec.context ?? '.');
  const dockerfile = resolve(context, spec.dockerfile ?? 'Dockerfile');
  if (!existsSync(context)) return [`service ${name}: build context ${spec.context} does not exist`];
  if (!existsSync(dockerfile)) return [`service ${name}: dockerfile ${relative(dirname(file), dockerfile)} does not exist`];
  return [];
}

function checkReplicas(doc: Document, name: string, service: Service): string[] {
  const replicas = service.deploy?.replicas;
  if (replicas === undefined) {
    return /replica/i.test(serviceComments(doc, name)) ? [] : [`service ${name}: set deploy.replicas (or say in a comment why not)`];
  }
  if (Number(replicas) <= 1) return [];
  const fixed = (service.ports ?? []).map(fixedHostPort).filter((port) => port !== null);
  return fixed.map((port) => `service ${name}: ${replicas} replicas cannot all publish host port ${port}`);
}

function checkDependsOn(name: string, service: Service, names: string[]): string[] {
  const deps = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
  return deps.filter((dep) => !names.includes(dep)).map((dep) => `service ${name}: depends_on unknown service ${dep}`);
}

/** Problems found in the compose file at `file`; [] means none found. */
export function checkCompose(file: string): string[] {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) return doc.errors.map((error) => `invalid YAML: ${error.message}`);
  const services = (doc.toJS() as { services?: Record<string, Service> } | null)?.services ?? {};
  const names = Object.keys(services);
  if (names.length === 0) return ['no services'];
  const problems: string[] = [];
  for (const [name, service] of Object.entries(services)) {
    problems.push(...checkDependsOn(name, service, names));
    if (service.build === undefined) continue;
    problems.push(...checkBuild(file, name, service.build), ...checkReplicas(doc, name, service));
  }
  return problems;
}
