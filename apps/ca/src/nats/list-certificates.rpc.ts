import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { CA_RPC_QUEUE, caListCertificatesSubject, listCertificatesRequest, type IssuedCertificateList } from '@weft/api';
import { NATS, NatsRpcResponder } from '@weft/data-access';
import { parseOrThrow, type Logger } from '@weft/shared';
import { AuditRepository } from '../audit/audit.repository';
import { LOGGER } from '../app/tokens';
import { CA_CONFIG, type CaConfig } from '../config/ca.config';

/**
 * `weft.ca.rpc.listCertificates` over NATS, in queue group `weft-ca`: the issuance audit (what
 * `GET /v1/certs` returns), for the telemetry dashboard. Any replica answers: the audit is in Redis.
 */
@Injectable()
export class ListCertificatesRpc implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly responder: NatsRpcResponder<IssuedCertificateList>;

  constructor(
    @Inject(NATS) nats: NatsConnection,
    @Inject(CA_CONFIG) config: CaConfig,
    @Inject(AuditRepository) audit: AuditRepository,
    @Inject(LOGGER) log: Logger,
  ) {
    this.responder = new NatsRpcResponder(nats, {
      subject: caListCertificatesSubject(config.subjectPrefix),
      queue: CA_RPC_QUEUE,
      log: log.child({ component: 'list-certificates-rpc' }),
      handle: async (request) => {
        const req = parseOrThrow(listCertificatesRequest, request, 'listCertificates request');
        return { certificates: await audit.list(req.limit, req.all) };
      },
      failure: { code: 'WEFT_ERR_CA_AUDIT_UNAVAILABLE', kind: 'unavailable', message: 'the issuance audit cannot be read', issues: [] },
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.responder.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.responder.stop();
  }
}
