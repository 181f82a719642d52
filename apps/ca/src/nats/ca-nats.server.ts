import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  CA_RPC_QUEUE,
  caCreateCertificateSubject,
  createCertificateRequest,
  type RpcReply,
} from '@weft/api';
import { NATS } from '@weft/data-access';
import { isWeftError, parseOrThrow, WeftError, type Logger } from '@weft/shared';
import { Readiness } from '../app/readiness';
import { LOGGER } from '../app/tokens';
import { CA_CONFIG, type CaConfig } from '../config/ca.config';
import { CaService } from '../issuer/ca.service';
import type { IssueCredentials } from '../issuer/issuer.types';

const decoder = new TextDecoder('utf-8', { fatal: true });

function decode(data: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(data)) as unknown;
  } catch (cause) {
    throw new WeftError('WEFT_ERR_API_MALFORMED_REQUEST', 'invalid-argument', 'invalid request: payload must be UTF-8 JSON', { cause });
  }
}

function credentialsOf(r: { token?: string; certChain?: string; proof?: string }): IssueCredentials {
  if (r.certChain !== undefined && r.proof !== undefined) return { kind: 'renewal', certChain: r.certChain, proof: Buffer.from(r.proof, 'base64') };
  if (r.token !== undefined) return { kind: 'token', token: r.token };
  return { kind: 'none' };
}

function errorReply(err: unknown): RpcReply<never> {
  if (isWeftError(err) && err.kind !== 'internal') {
    return { ok: false, error: { code: err.code, kind: err.kind, message: err.message, issues: err.issues.map((i) => ({ ...i })) } };
  }
  return { ok: false, error: { code: 'WEFT_ERR_INTERNAL', kind: 'internal', message: 'internal error', issues: [] } };
}

/**
 * The CA's NATS edge: request/reply on `<prefix>weft.ca.rpc.createCertificate` in queue group
 * `weft-ca` (one replica answers each request; a dead replica's share moves to the others). Plain JSON
 * envelopes `{ok, result | error}` like the registry's.
 */
@Injectable()
export class CaNatsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log: Logger;
  private subscription: Subscription | null = null;

  constructor(
    @Inject(NATS) private readonly nats: NatsConnection,
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    @Inject(CaService) private readonly ca: CaService,
    @Inject(Readiness) readiness: Readiness,
    @Inject(LOGGER) log: Logger,
  ) {
    this.log = log.child({ component: 'nats-rpc' });
    readiness.register('nats-rpc', () => this.subscription !== null && !this.nats.isClosed());
  }

  async onApplicationBootstrap(): Promise<void> {
    const subject = caCreateCertificateSubject(this.config.subjectPrefix);
    this.subscription = this.nats.subscribe(subject, { queue: CA_RPC_QUEUE, callback: (err, msg) => this.onMessage(err, msg) });
    await this.nats.flush();
    this.log.info({ subject, queue: CA_RPC_QUEUE }, 'rpc subscription ready');
  }

  private onMessage(err: Error | null, msg: Msg): void {
    if (err !== null) {
      this.log.warn({ err }, 'rpc subscription error');
      return;
    }
    const reply = this.call(msg.data);
    if (msg.reply === undefined || msg.reply === '') return;
    try {
      msg.respond(JSON.stringify(reply));
    } catch (e) {
      this.log.warn({ err: e }, 'rpc reply failed');
    }
  }

  private call(data: Uint8Array): RpcReply<{ certChain: string[] }> {
    try {
      const req = parseOrThrow(createCertificateRequest, decode(data), 'createCertificate request');
      const result = this.ca.issue({ csr: req.csr, validitySeconds: req.validitySeconds, credentials: credentialsOf(req), api: 'nats' });
      return { ok: true, result: { certChain: result.certChain } };
    } catch (e) {
      return errorReply(e);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const sub = this.subscription;
    this.subscription = null;
    await sub?.drain().catch(() => undefined);
  }
}
