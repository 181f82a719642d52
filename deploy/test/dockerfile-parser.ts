// A small Dockerfile parser: enough of the syntax for the checks in dockerfile-check.ts
// (line continuations, comments, flags, JSON and shell forms, stages). No heredocs.

export interface Instruction {
  keyword: string; // upper case: FROM, COPY, USER, ...
  flags: Record<string, string>; // --from=build → { from: 'build' }; a bare --link → { link: '' }
  args: string[]; // words after the flags (JSON form: the array items)
  json: boolean; // written in JSON (exec) form
  line: number; // 1-based line where the instruction starts
}

export interface Stage {
  index: number;
  name: string | null; // FROM ... AS name
  base: string;
  instructions: Instruction[];
}

interface LogicalLine {
  text: string;
  line: number;
}

function logicalLines(text: string): LogicalLine[] {
  const result: LogicalLine[] = [];
  const lines = text.split(/\r?\n/);
  let current: LogicalLine | null = null;
  for (let i = 0; i < lines.length; i += 1) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) continue; // comments (and parser directives), also inside continuations
    if (current === null && trimmed === '') continue;
    current ??= { text: '', line: i + 1 };
    const continued = /\\\s*$/.test(raw);
    current.text += `${raw.replace(/\\\s*$/, '')} `;
    if (!continued) {
      result.push({ text: current.text.trim(), line: current.line });
      current = null;
    }
  }
  if (current !== null) result.push({ text: current.text.trim(), line: current.line });
  return result;
}

/** Splits shell-form words, honouring single and double quotes. */
function words(text: string): string[] {
  const found = text.match(/"(?:[^"\\]|\\.)*"|'[^']*'|\S+/g) ?? [];
  return found.map((word) => word.replace(/^(["'])(.*)\1$/, '$2'));
}

function jsonArray(text: string): string[] | null {
  if (!text.startsWith('[')) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

function parseInstruction({ text, line }: LogicalLine): Instruction {
  const match = /^(\S+)\s*(.*)$/.exec(text) as RegExpExecArray;
  const keyword = match[1].toUpperCase();
  let rest = match[2];
  const flags: Record<string, string> = {};
  for (let flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest); flag; flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest)) {
    flags[flag[1]] = flag[2] ?? '';
    rest = rest.slice(flag[0].length);
  }
  const json = jsonArray(rest);
  return { keyword, flags, args: json ?? words(rest), json: json !== null, line };
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of logicalLines(text).map(parseInstruction)) {
    if (instruction.keyword === 'FROM') {
      const [base, as, name] = instruction.args;
      const named = as?.toUpperCase() === 'AS' ? name : null;
      stages.push({ index: stages.length, name: named, base, instructions: [] });
    }
    if (stages.length > 0) stages[stages.length - 1].instructions.push(instruction);
  }
  return stages;
}
