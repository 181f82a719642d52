// The real deploy files: every deploy/*.Dockerfile and deploy/compose.yaml, checked against this
// repository (the build context is the repository root, as in compose.yaml).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkCompose } from './compose-check';
import { checkDockerfile } from './dockerfile-check';

const deployDir = join(__dirname, '..');
const repoRoot = join(deployDir, '..');
const dockerfiles = readdirSync(deployDir).filter((file) => file.endsWith('.Dockerfile'));

describe('deploy/*.Dockerfile', () => {
  it('exist (the registry image at least)', () => {
    expect(dockerfiles).toContain('registry.Dockerfile');
  });

  it.each(dockerfiles)('%s copies only what exists, runs its entrypoint as non-root with a healthcheck', (file) => {
    expect(checkDockerfile(join(deployDir, file), repoRoot)).toEqual([]);
  });
});

describe('deploy/compose.yaml', () => {
  it('builds from existing Dockerfiles and replicates services without host-port clashes', () => {
    expect(checkCompose(join(deployDir, 'compose.yaml'))).toEqual([]);
  });
});
