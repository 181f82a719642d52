import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { rejected } from './errors';
import type { CliIo } from './io';
import type { SourcedDocument } from './pilot-client';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Reads the documents named by `-f`: a file (multi-document YAML or JSON), a directory (every
 * .yaml/.yml/.json file in it, sorted by name) or `-` (standard input). A `kind: List` (what
 * `get -o json` prints) is expanded into its items. Syntax errors name the file and line.
 */
export async function readDocuments(paths: readonly string[], io: CliIo): Promise<SourcedDocument[]> {
  const out: SourcedDocument[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push(...parseText(await io.readStdin(), '<stdin>'));
      continue;
    }
    for (const file of await filesOf(path)) out.push(...parseText(await readFile(file, 'utf8'), file));
  }
  return out;
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

function parseText(text: string, file: string): SourcedDocument[] {
  const values = file.toLowerCase().endsWith('.json') ? [parseJson(text, file)] : parseYaml(text, file);
  const out: SourcedDocument[] = [];
  for (const value of values) {
    for (const document of expandList(value)) out.push({ source: `${file}#${out.length + 1}`, document });
  }
  return out;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw rejected(`error: ${file}: invalid JSON: ${(err as Error).message}`);
  }
}

function parseYaml(text: string, file: string): unknown[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const problems = list.flatMap((d) => d.errors).map((e) => `  ${file}:${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
  if (problems.length > 0) throw rejected(`error: ${file}: invalid YAML`, problems);
  // documents holding only comments or nothing (a trailing `---`) are not documents
  return list.filter((d) => d.contents !== null).map((d) => d.toJS() as unknown);
}

function expandList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  const v = value as { kind?: unknown; items?: unknown } | null;
  if (v !== null && typeof v === 'object' && v.kind === 'List' && Array.isArray(v.items)) return v.items;
  return [value];
}
