/**
 * Reading the Prometheus text exposition in tests: the sum of the samples of `name` whose label set
 * contains every `labels` fragment (e.g. `response_code="200"`).
 */
export function metricSum(text: string, name: string, ...labels: string[]): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `)) {
      if (labels.length === 0) sum += Number(line.slice(name.length + 1));
      continue;
    }
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const set = line.slice(name.length + 1, close);
    if (labels.every((l) => set.includes(l))) sum += Number(line.slice(close + 2));
  }
  return sum;
}
