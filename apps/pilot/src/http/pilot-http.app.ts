import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { PinoNestLogger } from '@weft/data-access';
import type { PilotHttpDeps } from './pilot-http.deps';
import { PilotHttpModule } from './pilot-http.module';

/** Request bodies up to 4 MiB: a large directory of rules applied in one batch. */
export const PILOT_BODY_LIMIT = 4 * 1024 * 1024;

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];

/** The fastify adapter pilot's HTTP edge needs: JSON and YAML (kept as text for the rules parser) bodies. */
export function pilotFastifyAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({ bodyLimit: PILOT_BODY_LIMIT });
  adapter.getInstance().addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  return adapter;
}

export interface PilotHttpApp {
  readonly app: NestFastifyApplication;
  /** Binds the port (0: any free one); resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/** A standalone Nest application serving PilotHttpModule (the pilot main or tests). */
export async function createPilotHttpApp(deps: PilotHttpDeps): Promise<PilotHttpApp> {
  const app = await NestFactory.create<NestFastifyApplication>(PilotHttpModule.forRoot(deps), pilotFastifyAdapter(), {
    logger: new PinoNestLogger(deps.logger),
    abortOnError: false,
  });
  return {
    app,
    async listen(port, host) {
      await app.listen(port, host);
      return (app.getHttpServer().address() as AddressInfo).port;
    },
    close: () => app.close(),
  };
}
