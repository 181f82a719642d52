import type { NatsConnection } from '@nats-io/transport-node';
export { caCreateCertificateSubject, caTrustBundleSubject, type RpcReply } from '@weft/api';

/** The part of TestInfra the helpers use. */
export interface TestInfraLike {
  readonly natsUrl: string;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  readonly subjectPrefix: string;
  readonly nats: NatsConnection;
}
