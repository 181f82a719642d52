// The Docker build context as the builder sees it: COPY source globs (matched per path segment,
// like Go's filepath.Match) and the .dockerignore that filters the context.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';

const GLOB_CHARS = /[*?[]/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One glob segment ('*', '?', '[...]') as a regular expression body, not crossing '/'. */
function segmentSource(segment: string): string {
  let source = '';
  for (let i = 0; i < segment.length; i += 1) {
    const char = segment[i];
    const close = char === '[' ? segment.indexOf(']', i + 1) : -1;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (close > i) {
      source += `[${segment.slice(i + 1, close).replace(/^[!^]/, '^').replace(/\\/g, '\\\\')}]`;
      i = close;
    } else source += escapeRegExp(char);
  }
  return source;
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Context-relative path of a COPY source, or null when it points outside the context. */
export function contextPath(source: string): string | null {
  const clean = posix.normalize(source.replace(/^\/+/, '')).replace(/\/+$/, '');
  return clean === '..' || clean.startsWith('../') ? null : clean;
}

/** Context-relative paths a COPY source matches (sorted); [] when nothing matches. */
export function expandSource(contextDir: string, source: string): string[] {
  const clean = contextPath(source);
  if (clean === null) return [];
  if (clean === '.') return ['.'];
  let matches = [''];
  for (const segment of clean.split('/')) {
    const next: string[] = [];
    for (const base of matches) {
      const prefix = base ? `${base}/` : '';
      if (!GLOB_CHARS.test(segment)) {
        if (existsSync(join(contextDir, prefix + segment))) next.push(prefix + segment);
        continue;
      }
      if (!isDirectory(join(contextDir, base))) continue;
      const pattern = new RegExp(`^${segmentSource(segment)}$`);
      for (const entry of readdirSync(join(contextDir, base)).sort()) {
        if (pattern.test(entry)) next.push(prefix + entry);
      }
    }
    matches = next;
  }
  return matches;
}

interface IgnoreRule {
  negate: boolean;
  pattern: RegExp;
}

function ignoreRule(line: string): IgnoreRule {
  const negate = line.startsWith('!');
  const clean = posix.normalize(line.slice(negate ? 1 : 0).trim().replace(/^\/+/, '')).replace(/\/+$/, '');
  const source = clean
    .split('/')
    .map((segment) => (segment === '**' ? '**' : segmentSource(segment)))
    .join('/')
    .replace(/^\*\*\//, '(?:.*/)?')
    .replace(/\/\*\*\//g, '/(?:.*/)?')
    .replace(/\/\*\*$/, '(?:/.*)?')
    .replace(/^\*\*$/, '.*');
  return { negate, pattern: new RegExp(`^${source}$`) };
}

/** A .dockerignore: the last rule matching a path or any of its parents decides. */
export class DockerIgnore {
  constructor(private readonly rules: IgnoreRule[]) {}

  /** BuildKit reads `<Dockerfile>.dockerignore` beside the Dockerfile, else `<context>/.dockerignore`. */
  static load(dockerfilePath: string, contextDir: string): DockerIgnore {
    const candidates = [`${dockerfilePath}.dockerignore`, join(contextDir, '.dockerignore')];
    const file = candidates.find((candidate) => existsSync(candidate));
    const lines = file ? readFileSync(file, 'utf8').split(/\r?\n/) : [];
    const rules = lines.map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
    return new DockerIgnore(rules.map(ignoreRule));
  }

  ignores(path: string): boolean {
    const segments = path.split('/');
    const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const rule of this.rules) {
      if (candidates.some((candidate) => rule.pattern.test(candidate))) ignored = !rule.negate;
    }
    return ignored;
  }
}
