// Checks a Dockerfile against the repository it is built from, without a Docker engine:
// every COPY source exists in the (filtered) build context, every `COPY --from` path is put there by
// the named stage, the ENTRYPOINT script is in the final image, which runs as a non-root USER with
// a HEALTHCHECK. Returns human-readable problems; [] means none found.
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { DockerIgnore, contextPath, expandSource, isDirectory } from './build-context';
import { Instruction, Stage, parseDockerfile } from './dockerfile-parser';

/** A path placed into a stage: the container path and the context path it came from. */
interface Placement {
  container: string;
  source: string;
  directory: boolean;
}

interface StageState {
  stage: Stage;
  workdir: string;
  placements: Placement[];
  installs: boolean; // runs npm ci / npm install, so node_modules is produced there
}

interface Context {
  dir: string;
  ignore: DockerIgnore;
  states: StageState[];
  problems: string[];
}

function report(ctx: Context, instruction: Instruction, message: string): void {
  ctx.problems.push(`line ${instruction.line}: ${message}`);
}

/** `<project>/dist/...` where the project has an Nx build target: produced by `nx run-many -t build`. */
function isBuildOutput(contextDir: string, path: string): boolean {
  const segments = path.split('/');
  const dist = segments.indexOf('dist');
  if (dist < 1) return false;
  const projectJson = join(contextDir, ...segments.slice(0, dist), 'project.json');
  if (!existsSync(projectJson)) return false;
  const project = JSON.parse(readFileSync(projectJson, 'utf8')) as { targets?: Record<string, unknown> };
  return project.targets?.build !== undefined;
}

/** Where a copied path lands: into a directory destination, or exactly at the destination. */
function destinationOf(dest: string, source: string, directory: boolean, many: boolean): string {
  if (directory || !(many || dest.endsWith('/'))) return dest;
  return posix.join(dest, posix.basename(source));
}

function checkMerges(ctx: Context, instruction: Instruction, sources: string[]): void {
  const seen = new Map<string, string>();
  for (const source of sources) {
    const directory = isDirectory(join(ctx.dir, source));
    const key = directory ? '(directory contents)' : posix.basename(source);
    const previous = seen.get(key);
    if (previous !== undefined) {
      const what = directory ? 'merges the contents of directories' : 'overwrites files with the same name:';
      report(ctx, instruction, `COPY ${what} ${previous} and ${source} (one COPY per path, or --parents)`);
    }
    seen.set(key, source);
  }
}

function copyFromContext(ctx: Context, state: StageState, instruction: Instruction): void {
  const sources = instruction.args.slice(0, -1);
  const dest = posix.resolve(state.workdir, instruction.args[instruction.args.length - 1]);
  const matched: string[] = [];
  for (const source of sources) {
    const found = expandSource(ctx.dir, source);
    const clean = contextPath(source);
    if (clean === null) report(ctx, instruction, `COPY source "${source}" is outside the build context`);
    else if (found.length === 0) report(ctx, instruction, `COPY source "${source}" does not exist in the build context`);
    for (const path of found) {
      if (ctx.ignore.ignores(path)) report(ctx, instruction, `COPY source "${path}" is excluded by the .dockerignore`);
    }
    matched.push(...found);
  }
  const many = matched.length > 1;
  if (many && !instruction.args[instruction.args.length - 1].endsWith('/')) {
    report(ctx, instruction, 'COPY with several sources needs a destination ending in "/"');
  }
  checkMerges(ctx, instruction, matched);
  for (const source of matched) {
    const directory = isDirectory(join(ctx.dir, source));
    state.placements.push({ container: destinationOf(dest, source, directory, many), source, directory });
  }
}

/** The context path a container path of `state` corresponds to, or null if nothing put it there. */
function traceBack(state: StageState, containerPath: string): string | null {
  for (const placement of [...state.placements].reverse()) {
    if (containerPath === placement.container) return placement.source;
    if (placement.directory && containerPath.startsWith(`${placement.container}/`)) {
      return posix.join(placement.source, containerPath.slice(placement.container.length + 1));
    }
  }
  return null;
}

function producedIn(ctx: Context, from: StageState, containerPath: string): string | null {
  const source = traceBack(from, containerPath);
  if (source === null) {
    const underWorkdir = posix.relative(from.workdir, containerPath);
    return from.installs && underWorkdir.split('/')[0] === 'node_modules' ? underWorkdir : null;
  }
  const exists = existsSync(join(ctx.dir, source)) && !ctx.ignore.ignores(source);
  return exists || isBuildOutput(ctx.dir, source) ? source : null;
}

function copyFromStage(ctx: Context, state: StageState, instruction: Instruction): void {
  const ref = instruction.flags.from;
  const from = ctx.states.find((other) => other.stage.name === ref || String(other.stage.index) === ref);
  if (from === undefined || from === state) {
    if (!/[:/]/.test(ref)) report(ctx, instruction, `COPY --from=${ref}: no earlier stage has that name`);
    return; // an external image: nothing to check against
  }
  const sources = instruction.args.slice(0, -1);
  const dest = posix.resolve(state.workdir, instruction.args[instruction.args.length - 1]);
  for (const source of sources) {
    const containerPath = posix.resolve('/', source).replace(/\/+$/, '');
    const origin = producedIn(ctx, from, containerPath);
    if (origin === null) {
      report(ctx, instruction, `COPY --from=${ref} ${source}: stage "${ref}" neither copies this path in nor builds it`);
      continue;
    }
    const directory = isDirectory(join(ctx.dir, origin)) || !posix.extname(origin);
    state.placements.push({ container: destinationOf(dest, origin, directory, sources.length > 1), source: origin, directory });
  }
}

function apply(ctx: Context, state: StageState, instruction: Instruction): void {
  if (instruction.keyword === 'WORKDIR') state.workdir = posix.resolve(state.workdir, instruction.args[0] ?? '.');
  if (instruction.keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(instruction.args.join(' '))) state.installs = true;
  if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') return;
  if (instruction.args.length < 2) report(ctx, instruction, `${instruction.keyword} needs a source and a destination`);
  else if (instruction.flags.from !== undefined) copyFromStage(ctx, state, instruction);
  else copyFromContext(ctx, state, instruction);
}

function last(state: StageState, keyword: string): Instruction | undefined {
  return state.stage.instructions.filter((instruction) => instruction.keyword === keyword).pop();
}

function checkEntrypoint(ctx: Context, final: StageState, entrypoint: Instruction | undefined): void {
  if (entrypoint === undefined) return void ctx.problems.push('final stage: no ENTRYPOINT');
  if (!entrypoint.json) report(ctx, entrypoint, 'ENTRYPOINT: use the JSON form, so the process receives signals');
  const script = entrypoint.args.find((arg) => /\.[cm]?js$/.test(arg));
  if (script === undefined) return;
  const source = traceBack(final, posix.resolve(final.workdir, script));
  if (source === null) report(ctx, entrypoint, `ENTRYPOINT script ${script} is not copied into the final stage`);
  else if (!existsSync(join(ctx.dir, source)) && !isBuildOutput(ctx.dir, source)) {
    report(ctx, entrypoint, `ENTRYPOINT script ${script} comes from ${source}, which does not exist`);
  }
}

function checkFinalStage(ctx: Context, final: StageState): void {
  const user = last(final, 'USER');
  const name = user?.args[0]?.split(':')[0];
  if (user === undefined) ctx.problems.push('final stage: no USER, so it runs as root');
  else if (name === 'root' || name === '0') report(ctx, user, `final stage runs as ${user.args[0]}`);
  const healthcheck = last(final, 'HEALTHCHECK');
  // A one-shot CLI image (LABEL org.weft.role=cli) has no service to probe: HEALTHCHECK NONE is its honest value.
  const cli = final.stage.instructions.some((i) => i.keyword === 'LABEL' && i.args.includes('org.weft.role=cli'));
  if (healthcheck === undefined || (healthcheck.args[0]?.toUpperCase() === 'NONE' && !cli)) {
    ctx.problems.push('final stage: no HEALTHCHECK');
  }
  checkEntrypoint(ctx, final, last(final, 'ENTRYPOINT'));
}

/** Problems found in the Dockerfile at `dockerfilePath` built with `contextDir` as its context. */
export function checkDockerfile(dockerfilePath: string, contextDir: string): string[] {
  const stages = parseDockerfile(readFileSync(dockerfilePath, 'utf8'));
  if (stages.length === 0) return ['no FROM instruction'];
  const ctx: Context = { dir: contextDir, ignore: DockerIgnore.load(dockerfilePath, contextDir), states: [], problems: [] };
  for (const stage of stages) {
    const parent = ctx.states.find((earlier) => earlier.stage.name === stage.base); // FROM build AS test
    const state: StageState = parent
      ? { stage, workdir: parent.workdir, placements: [...parent.placements], installs: parent.installs }
      : { stage, workdir: '/', placements: [], installs: false };
    ctx.states.push(state);
    for (const instruction of stage.instructions) apply(ctx, state, instruction);
  }
  checkFinalStage(ctx, ctx.states[ctx.states.length - 1]);
  return ctx.problems;
}
