import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { CA_RPC_QUEUE, caListCertificatesSubject, listCertificatesRequest, type IssuedCertificateList, type RpcReply } from '@weft/api';
import { NATS } from '@weft/data-access';
import { isWeftError, parseOrThrow, WeftError, type Logger } from '@weft/shared';
import { AuditRepository } from '../audit/audit.repository';
import { LOGGER } from '../app/tokens';
import { CA_CONFIG, type CaConfig } from '../config/ca.config';

const decoder = new TextDecoder('utf-8', { fatal: true });

function decode(data: Uint8Array): unknown {
  if (data.length === 0) return {};
  try {
    return JSON.parse(decoder.decode(data)) as unknown;
  } catch (cause) {
    throw new WeftError('WEFT_ERR_API_MALFORMED_REQUEST', 'invalid-argument', 'invalid request: payload must be UTF-8 JSON', { cause });
  }
}

/** A bad request answers with its field issues; anything else is the audit store (Redis) failing. */
function errorReply(err: unknown): RpcReply<never> {
  if (isWeftError(err) && err.kind !== 'internal') {
    return { ok: false, error: { code: err.code, kind: err.kind, message: err.message, issues: err.issues.map((i) => ({ ...i })) } };
  }
  return { ok: false, error: { code: 'WEFT_ERR_CA_AUDIT_UNAVAILABLE', kind: 'unavailable', message: 'the issuance audit cannot be read', issues: [] } };
}

/**
 * `weft.ca.rpc.listCertificates` over NATS, in queue group `weft-ca`: the issuance audit (what
 * `GET /v1/certs` returns), for the telemetry dashboard. Any replica answers: the audit is in Redis.
 */
@Injectable()
export class ListCertificatesRpc implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log: Logger;
  private subscription: Subscription | null = null;

  constructor(
    @Inject(NATS) private readonly nats: NatsConnection,
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    @Inject(AuditRepository) private readonly audit: AuditRepository,
    @Inject(LOGGER) log: Logger,
  ) {
    this.log = log.child({ component: 'list-certificates-rpc' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const subject = caListCertificatesSubject(this.config.subjectPrefix);
    this.subscription = this.nats.subscribe(subject, { queue: CA_RPC_QUEUE, callback: (err, msg) => void this.onMessage(err, msg) });
    await this.nats.flush();
    this.log.info({ subject, queue: CA_RPC_QUEUE }, 'rpc subscription ready');
  }

  private async onMessage(err: Error | null, msg: Msg): Promise<void> {
    if (err !== null) {
      this.log.warn({ err }, 'rpc subscription error');
      return;
    }
    if (msg.reply === undefined || msg.reply === '') return;
    const reply = await this.call(msg.data);
    try {
      msg.respond(JSON.stringify(reply));
    } catch (e) {
      this.log.warn({ err: e }, 'rpc reply failed');
    }
  }

  private async call(data: Uint8Array): Promise<RpcReply<IssuedCertificateList>> {
    try {
      const req = parseOrThrow(listCertificatesRequest, decode(data), 'listCertificates request');
      return { ok: true, result: { certificates: await this.audit.list(req.limit, req.all) } };
    } catch (e) {
      if (!isWeftError(e)) this.log.warn({ err: e }, 'audit read failed');
      return errorReply(e);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const sub = this.subscription;
    this.subscription = null;
    await sub?.drain().catch(() => undefined);
  }
}
