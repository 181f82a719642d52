import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { composeBootstrap } from './compose-bootstrap';
import { DEMO_DIR, loadPortPlan } from './port-plan';

/** `npx nx run demo:compose-bootstraps`: writes demo/bootstrap/compose/<name>.yaml for every workload. */
function main(): void {
  const plan = loadPortPlan();
  const out = join(DEMO_DIR, 'bootstrap', 'compose');
  mkdirSync(out, { recursive: true });
  for (const workload of plan.workloads) {
    const local = readFileSync(join(DEMO_DIR, 'bootstrap', `${workload.name}.yaml`), 'utf8');
    const file = join(out, `${workload.name}.yaml`);
    writeFileSync(file, composeBootstrap(plan, workload, local));
    process.stdout.write(`wrote ${relative(process.cwd(), file)}\n`);
  }
}

main();
