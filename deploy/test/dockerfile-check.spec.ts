// The Dockerfile checker against small fixture contexts: it must catch each kind of mistake.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkDockerfile } from './dockerfile-check';

const GOOD = `
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/ ./libs/
COPY apps/web/ ./apps/web/
RUN npm ci && npx nx run-many -t build

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json \\
     package-lock.json ./
COPY libs/a/package.json ./libs/a/
RUN npm ci --omit=dev
COPY --from=build /app/libs/a/dist ./libs/a/dist
COPY --from=build /app/apps/web/dist ./apps/web/dist
COPY --from=build /app/apps/web/bin ./apps/web/bin
USER node
HEALTHCHECK CMD ["node", "-e", "process.exit(0)"]
ENTRYPOINT ["node", "apps/web/bin/web.js"]
`;

let context: string;

function write(path: string, content = ''): void {
  mkdirSync(dirname(join(context, path)), { recursive: true });
  writeFileSync(join(context, path), content);
}

/** Checks `text` as deploy/app.Dockerfile in the fixture context. */
function check(text: string): string[] {
  write('deploy/app.Dockerfile', text);
  return checkDockerfile(join(context, 'deploy/app.Dockerfile'), context);
}

beforeEach(() => {
  context = mkdtempSync(join(tmpdir(), 'weft-dockerfile-'));
  const buildable = JSON.stringify({ targets: { build: {} } });
  write('package.json', '{}');
  write('package-lock.json', '{}');
  write('libs/a/package.json', '{}');
  write('libs/a/project.json', buildable);
  write('libs/b/package.json', '{}');
  write('apps/web/project.json', buildable);
  write('apps/web/bin/web.js');
});

afterEach(() => rmSync(context, { recursive: true, force: true }));

describe('checkDockerfile', () => {
  it('accepts a well-formed two-stage Dockerfile (the baseline for the cases below)', () => {
    expect(check(GOOD)).toEqual([]);
  });

  it('reports a COPY source missing from the build context', () => {
    expect(check(GOOD.replace('COPY libs/a/package.json', 'COPY libs/c/package.json'))).toEqual([
      'line 13: COPY source "libs/c/package.json" does not exist in the build context',
    ]);
  });

  it('reports a glob that matches nothing, and accepts one that matches', () => {
    expect(check(GOOD.replace('libs/a/package.json ./libs/a/', 'libs/*/missing.json ./libs/'))).toEqual([
      'line 13: COPY source "libs/*/missing.json" does not exist in the build context',
    ]);
    expect(check(GOOD.replace('libs/a/package.json', 'libs/[a]/package.json'))).toEqual([]);
  });

  it('reports a glob whose matches would overwrite each other in the destination', () => {
    expect(check(GOOD.replace('libs/a/package.json ./libs/a/', 'libs/*/package.json ./libs/'))).toEqual([
      'line 13: COPY overwrites files with the same name: libs/a/package.json and libs/b/package.json (one COPY per path, or --parents)',
    ]);
  });

  it('reports a source excluded by the Dockerfile-specific .dockerignore', () => {
    write('deploy/app.Dockerfile.dockerignore', '**/node_modules\nlibs/a/package.json\n');
    expect(check(GOOD)).toEqual(['line 13: COPY source "libs/a/package.json" is excluded by the .dockerignore']);
  });

  it('reports a --from path the build stage neither copies in nor builds', () => {
    const problems = check(GOOD.replace('/app/apps/web/bin', '/app/apps/api/bin').replace('/app/libs/a/dist', '/srv/libs/a/dist'));
    expect(problems).toEqual([
      'line 15: COPY --from=build /srv/libs/a/dist: stage "build" neither copies this path in nor builds it',
      'line 17: COPY --from=build /app/apps/api/bin: stage "build" neither copies this path in nor builds it',
      'line 20: ENTRYPOINT script apps/web/bin/web.js is not copied into the final stage',
    ]);
  });

  it('reports a --from stage that does not exist', () => {
    expect(check(GOOD.replace('--from=build /app/libs/a/dist', '--from=builder /app/libs/a/dist'))).toEqual([
      'line 15: COPY --from=builder: no earlier stage has that name',
    ]);
  });

  it('reports an ENTRYPOINT script that does not exist', () => {
    expect(check(GOOD.replace('bin/web.js"]', 'bin/server.js"]'))).toEqual([
      'line 20: ENTRYPOINT script apps/web/bin/server.js comes from apps/web/bin/server.js, which does not exist',
    ]);
  });

  it('reports a final stage that runs as root, without a healthcheck or an exec-form ENTRYPOINT', () => {
    const text = GOOD.replace('USER node', 'USER root')
      .replace(/HEALTHCHECK .*/, 'HEALTHCHECK NONE')
      .replace(/ENTRYPOINT .*/, 'ENTRYPOINT node apps/web/bin/web.js');
    expect(check(text)).toEqual([
      'line 18: final stage runs as root',
      'final stage: no HEALTHCHECK',
      'line 20: ENTRYPOINT: use the JSON form, so the process receives signals',
    ]);
    expect(check(GOOD.replace('USER node\n', ''))).toEqual(['final stage: no USER, so it runs as root']);
  });

  it('accepts HEALTHCHECK NONE only in an image labelled as a one-shot CLI', () => {
    const none = GOOD.replace(/HEALTHCHECK .*/, 'HEALTHCHECK NONE');
    expect(check(none)).toEqual(['final stage: no HEALTHCHECK']);
    expect(check(none.replace('HEALTHCHECK NONE', 'LABEL org.weft.role=cli\nHEALTHCHECK NONE'))).toEqual([]);
  });
});
