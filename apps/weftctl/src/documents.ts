import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { rejected } from './errors';
import type { CliIo } from './io';

/** One file's text, named as error messages will name it (`demo/rules/reviews.yaml#2 …`). */
export interface SourceFile {
  readonly source: string;
  readonly text: string;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Reads what `-f` names: a file (multi-document YAML or JSON), a directory (every .yaml/.yml/.json file
 * in it, sorted by name) or `-` (standard input). Pilot parses and validates them all together, so a
 * whole directory is applied atomically and every problem names its file and document.
 */
export async function readSources(paths: readonly string[], io: CliIo): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push({ source: 'stdin', text: await io.readStdin() });
      continue;
    }
    for (const file of await filesOf(path)) out.push({ source: file, text: await readFile(file, 'utf8') });
  }
  const empty = out.filter((f) => f.text.trim() === '');
  if (empty.length === out.length) throw rejected('error: no objects passed (the input is empty)');
  return out.filter((f) => f.text.trim() !== '');
}

async function filesOf(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => {
    throw rejected(`error: the path "${path}" does not exist`);
  });
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((n) => EXTENSIONS.has(extname(n).toLowerCase())).sort();
  const files: string[] = [];
  for (const name of names) if ((await stat(join(path, name))).isFile()) files.push(join(path, name));
  if (files.length === 0) throw rejected(`error: no .yaml, .yml or .json files in "${path}"`);
  return files;
}
