import { join } from 'node:path';
import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { caCreateCertificateSubject, type RpcReply, type TestInfraLike } from './ca-types';
import { startProcess, type TestProcess } from '@weft/testing';
import { loadCaGrpc } from '../../src/grpc/ca-grpc.definition';

export const BIN = join(__dirname, '..', '..', 'bin', 'weft-ca.js');

export interface CaProcess {
  readonly proc: TestProcess;
  readonly httpUrl: string;
  readonly grpcAddress: string;
  readonly replica: string;
}

/** Starts the built `weft-ca` bin on free ports against the suite's NATS/Redis prefixes. */
export async function startCaProcess(infra: TestInfraLike, dir: string, replica: string, env: Record<string, string> = {}): Promise<CaProcess> {
  const { proc, readyLog } = await startProcess({
    name: `weft-ca ${replica}`,
    command: process.execPath,
    args: [BIN],
    env: {
      NATS_URL: infra.natsUrl,
      REDIS_URL: infra.redisUrl,
      WEFT_CA_HTTP_PORT: '0',
      WEFT_CA_GRPC_PORT: '0',
      WEFT_CA_DIR: dir,
      WEFT_CA_REPLICA_ID: replica,
      WEFT_REDIS_PREFIX: infra.redisPrefix,
      WEFT_SUBJECT_PREFIX: infra.subjectPrefix,
      WEFT_LOG_LEVEL: 'info',
      ...env,
    },
    ready: (log) => log['msg'] === 'ca ready',
  });
  return { proc, replica, httpUrl: `http://127.0.0.1:${String(readyLog['httpPort'])}`, grpcAddress: `127.0.0.1:${String(readyLog['grpcPort'])}` };
}

export async function createToken(ca: CaProcess, namespace: string, serviceAccount: string, ttlSeconds = 600, admin?: string): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (admin !== undefined) headers['authorization'] = `Bearer ${admin}`;
  const res = await fetch(`${ca.httpUrl}/v1/tokens`, { method: 'POST', headers, body: JSON.stringify({ namespace, serviceAccount, ttlSeconds }) });
  if (res.status !== 201) throw new Error(`POST /v1/tokens: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** One createCertificate over NATS request/reply. */
export async function natsIssue(infra: TestInfraLike, body: Record<string, unknown>, timeoutMs = 2000): Promise<RpcReply<{ certChain: string[] }>> {
  const msg = await infra.nats.request(caCreateCertificateSubject(infra.subjectPrefix), JSON.stringify(body), { timeout: timeoutMs });
  return JSON.parse(msg.string()) as RpcReply<{ certChain: string[] }>;
}

export type CaGrpcClient = Client & Record<string, (req: unknown, md: Metadata, cb: (err: ServiceError | null, res: unknown) => void) => void>;

export function caGrpcClient(address: string): CaGrpcClient {
  const { Client } = loadCaGrpc();
  return new Client(address, credentials.createInsecure()) as unknown as CaGrpcClient;
}

export function grpcCall<T>(client: CaGrpcClient, method: string, req: unknown, md = new Metadata()): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = client[method] as CaGrpcClient[string];
    fn.call(client, req, md, (err, res) => (err === null ? resolve(res as T) : reject(err)));
  });
}
