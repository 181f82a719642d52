// The compose checker against small fixture files: it must catch each kind of mistake.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCompose } from './compose-check';

const GOOD = `
services:
  db:
    image: redis:7-alpine
  app:
    build: { context: .., dockerfile: deploy/app.Dockerfile }
    deploy: { replicas: 2 }
    ports:
      - "127.0.0.1::8080"
      - { target: 9090, host_ip: 127.0.0.1 }
    depends_on: { db: { condition: service_started } }
`;

let root: string;

function check(text: string): string[] {
  writeFileSync(join(root, 'deploy/compose.yaml'), text);
  return checkCompose(join(root, 'deploy/compose.yaml'));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'weft-compose-'));
  mkdirSync(join(root, 'deploy'));
  writeFileSync(join(root, 'deploy/app.Dockerfile'), 'FROM scratch\n');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('checkCompose', () => {
  it('accepts a replicated service with ephemeral host ports (the baseline)', () => {
    expect(check(GOOD)).toEqual([]);
  });

  it('reports a build whose Dockerfile does not exist', () => {
    expect(check(GOOD.replace('deploy/app.Dockerfile', 'deploy/api.Dockerfile'))).toEqual([
      'service app: dockerfile api.Dockerfile does not exist',
    ]);
  });

  it('reports fixed host ports on a replicated service, in short and long syntax', () => {
    const text = GOOD.replace('"127.0.0.1::8080"', '"8080:8080"').replace('target: 9090,', 'target: 9090, published: 9090,');
    expect(check(text)).toEqual([
      'service app: 2 replicas cannot all publish host port 8080',
      'service app: 2 replicas cannot all publish host port 9090',
    ]);
  });

  it('wants deploy.replicas or a comment about replicas on every service it builds', () => {
    const bare = GOOD.replace('    deploy: { replicas: 2 }\n', '');
    expect(check(bare)).toEqual(['service app: set deploy.replicas (or say in a comment why not)']);
    expect(check(bare.replace('  app:\n', '  # one replica: it holds a lock\n  app:\n'))).toEqual([]);
  });

  it('reports depends_on naming an unknown service', () => {
    expect(check(GOOD.replace('{ db: {', '{ nats: {'))).toEqual(['service app: depends_on unknown service nats']);
  });
});
