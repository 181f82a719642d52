import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  CA_RPC_QUEUE,
  caCreateCertificateSubject,
  createCertificateRequest,
} from '@weft/api';
import { NATS, NatsRpcResponder } from '@weft/data-access';
import { parseOrThrow, type Logger } from '@weft/shared';
import { Readiness } from '../app/readiness';
import { LOGGER } from '../app/tokens';
import { CA_CONFIG, type CaConfig } from '../config/ca.config';
import { CaService } from '../issuer/ca.service';
import type { IssueCredentials } from '../issuer/issuer.types';

function credentialsOf(r: { token?: string; certChain?: string; proof?: string }): IssueCredentials {
  if (r.certChain !== undefined && r.proof !== undefined) return { kind: 'renewal', certChain: r.certChain, proof: Buffer.from(r.proof, 'base64') };
  if (r.token !== undefined) return { kind: 'token', token: r.token };
  return { kind: 'none' };
}

/**
 * The CA's NATS edge: request/reply on `<prefix>weft.ca.rpc.createCertificate` in queue group
 * `weft-ca` (one replica answers each request; a dead replica's share moves to the others). Plain JSON
 * envelopes `{ok, result | error}` like the registry's.
 */
@Injectable()
export class CaNatsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly responder: NatsRpcResponder<{ certChain: string[] }>;

  constructor(
    @Inject(NATS) nats: NatsConnection,
    @Inject(CA_CONFIG) config: CaConfig,
    @Inject(CaService) ca: CaService,
    @Inject(Readiness) readiness: Readiness,
    @Inject(LOGGER) log: Logger,
  ) {
    this.responder = new NatsRpcResponder(nats, {
      subject: caCreateCertificateSubject(config.subjectPrefix),
      queue: CA_RPC_QUEUE,
      log: log.child({ component: 'nats-rpc' }),
      handle: (request) => {
        const req = parseOrThrow(createCertificateRequest, request, 'createCertificate request');
        const result = ca.issue({ csr: req.csr, validitySeconds: req.validitySeconds, credentials: credentialsOf(req), api: 'nats' });
        return { certChain: result.certChain };
      },
    });
    readiness.register('nats-rpc', () => this.responder.ready);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.responder.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.responder.stop();
  }
}
