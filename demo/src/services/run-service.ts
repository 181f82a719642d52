import { createLogger } from '@weft/shared';
import { readDemoConfig, serviceVars } from '../config/demo-config';
import { JsonServer, type Route } from '../http/json-server';
import { SidecarClient } from '../http/sidecar-client';
import { detailsRoute } from './details.service';
import { productPageRoute } from './productpage.service';
import { ratingsRoute } from './ratings.service';
import { reviewsRoute } from './reviews.service';

/** The demo services: default port (demo/workloads.json) and route, given the version and the sidecar client. */
export const SERVICES = {
  productpage: { port: 9080, route: productPageRoute, about: 'the product page; calls details and reviews' },
  details: { port: 9081, route: (version: string) => detailsRoute(version), about: 'book details; calls nothing' },
  reviews: { port: 9082, route: reviewsRoute, about: 'book reviews; v2 and v3 call ratings for stars' },
  ratings: { port: 9085, route: (version: string) => ratingsRoute(version), about: 'star ratings; calls nothing' },
} satisfies Record<string, { port: number; route: (version: string, sidecar: SidecarClient) => Route; about: string }>;

export type ServiceName = keyof typeof SERVICES;

export interface RunningService {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts one demo service from flags and environment; resolves once it listens. */
export async function runService(name: ServiceName, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = readDemoConfig(serviceVars(SERVICES[name].port), argv, env);
  const logger = createLogger(`demo-${name}`).child({ service: name, version: config.version });
  const sidecar = new SidecarClient(config.outboundUrl, config.upstreamTimeoutMs);
  const route = SERVICES[name].route(config.version, sidecar);
  const server = new JsonServer(route, { service: name, version: config.version, failureRate: config.failureRate, logger });
  const port = await server.listen(config.port, config.host);
  logger.info({ port, host: config.host, outbound: config.outboundUrl, failureRate: config.failureRate }, 'service ready');
  return {
    port,
    close: async () => {
      await server.close();
      sidecar.close();
    },
  };
}
