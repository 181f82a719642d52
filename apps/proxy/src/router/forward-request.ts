import type { Dispatcher } from 'undici';
import type { HeaderOp, RetryPolicyModel } from '@weft/proxy-core';
import { ProxyError, connectFailure, noHealthyUpstream, overflow, upstreamReset } from '../errors/proxy-error';
import { rescue } from '../errors/rescue';
import type { RequestContext, ResponseEvents } from '../listener/request-context';
import type { Cluster } from '../upstream/cluster';
import type { Host } from '../upstream/host';
import type { RetryDecider, UpstreamOutcome } from '../upstream/outcome';
import { classifyError, outcomeOfResponse } from '../upstream/outcome';
import type { RequestBody } from './request-body';
import { relayedResponseHeaders } from './headers';
import { endResponse, sendLocalReply, writeResponseChunk, writeResponseHead } from './downstream-writer';

type Controller = Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestStart']>>[0];

export interface ForwardPlan {
  readonly cluster: Cluster;
  readonly path: string;
  readonly headers: string[];
  readonly body: RequestBody | null;
  readonly hash: number | null;
  readonly timeoutMs: number | null;
  /** Longest silence on the upstream stream (route idle_timeout, else the HCM stream_idle_timeout); null: none. */
  readonly idleTimeoutMs: number | null;
  readonly retry: RetryPolicyModel | null;
  readonly retryOn: RetryDecider | null;
  readonly responseHeaderOps: readonly HeaderOp[];
  /** Inbound, to a caller that sent peer metadata: this proxy's own, added to the response; else null. */
  readonly responsePeer: string | null;
}

/**
 * One upstream attempt: the undici dispatch handler. Events of an attempt that was cancelled (retry,
 * timeout, downstream gone) are dropped, so a late event can never touch the next attempt.
 */
class UpstreamAttempt implements Dispatcher.DispatchHandler {
  controller: Controller | null = null;
  cancelled = false;

  constructor(private readonly owner: ForwardRequest) {}

  cancel(reason: Error): void {
    this.cancelled = true;
    this.controller?.abort(reason);
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    if (this.cancelled) controller.abort(new Error('cancelled'));
    else this.owner.onStarted();
  }

  onResponseStart(_controller: Controller, status: number, headers: Record<string, string | string[]>): void {
    if (!this.cancelled) this.owner.onHeaders(this, status, headers);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (!this.cancelled) this.owner.onData(controller, chunk);
  }

  onResponseEnd(controller: Controller, trailers: Record<string, string | string[]>): void {
    // undici 7.30 passes HTTP/2 trailers through a parser meant for HTTP/1.1's flat list, which loses
    // them (grpc-status!); the original object is still on the controller.
    const raw = (controller as { rawTrailers?: unknown }).rawTrailers;
    const t = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, string | string[]>) : trailers;
    if (!this.cancelled) this.owner.onEnd(t);
  }

  onResponseError(_controller: Controller, err: Error): void {
    if (!this.cancelled) this.owner.onError(err);
  }
}

/**
 * One downstream request forwarded to a cluster: host selection, circuit breakers, retries with
 * backoff, per-try and route timeouts, and relaying the response (headers, streamed body with
 * backpressure, trailers). It is its own undici dispatch handler, one object per request.
 */
export class ForwardRequest {
  private attempts = 0;
  private host: Host | null = null;
  private tried: Set<Host> | null = null;
  private attempt: UpstreamAttempt | null = null;
  private committed = false;
  /** The committed response's outcome, reported when its body ends. */
  private lastOutcome: UpstreamOutcome | null = null;
  private finished = false;
  private pending = false;
  private perTryTimer: NodeJS.Timeout | null = null;
  private routeTimer: NodeJS.Timeout | null = null;
  private perTryTimedOut = false;
  private retryHeld = false;
  private attemptStart = 0;

  constructor(
    private readonly ctx: RequestContext,
    private readonly plan: ForwardPlan,
    private readonly onDone: (ctx: RequestContext) => void,
    private readonly random: () => number,
  ) {}

  start(): void {
    const { timeoutMs } = this.plan;
    if (timeoutMs !== null && timeoutMs > 0) this.routeTimer = setTimeout(onRouteTimer, timeoutMs, this);
    const res: ResponseEvents = this.ctx.res;
    res.once('close', () => this.onDownstreamClose());
    this.ctx.upstreamCluster = this.plan.cluster.name;
    this.sendAttempt();
  }

  private sendAttempt(): void {
    const { cluster } = this.plan;
    const exclude = this.plan.retry?.previousHosts === true ? this.tried : null;
    const host = cluster.pick(this.plan.hash, exclude);
    if (host === null) return this.fail(noHealthyUpstream(cluster.name));
    if (!cluster.breaker.tryAcquire('requests')) return this.overflow('requests');
    if (!cluster.breaker.tryAcquire('pending')) {
      cluster.breaker.release('requests');
      return this.overflow('pending');
    }
    this.pending = true;
    this.attempts++;
    this.host = host;
    // previous_hosts: remember every host tried (endAttempt clears `host` before a retry is decided).
    if (this.plan.retry?.previousHosts === true) (this.tried ??= new Set()).add(host);
    this.ctx.upstreamHost = host.id;
    host.activeRequests++;
    this.perTryTimedOut = false;
    this.attemptStart = performance.now();
    const body = this.plan.body === null ? null : this.plan.body.stream();
    const attempt = new UpstreamAttempt(this);
    this.attempt = attempt;
    // undici's headers/body timeouts measure silence before the response head and between body chunks.
    const idle = this.plan.idleTimeoutMs ?? 0;
    host.dispatcher.dispatch(
      { path: this.plan.path, method: this.ctx.method, headers: this.plan.headers, body, headersTimeout: idle, bodyTimeout: idle },
      attempt,
    );
  }

  private overflow(resource: string): void {
    this.plan.cluster.countOverflow(resource);
    this.fail(overflow(this.plan.cluster.name, resource));
  }

  /**
   * The attempt got a connection and is being sent. The per-try timeout starts here, as Envoy's does
   * when the pool is ready: time spent queued for a connection is not the attempt's (and an attempt
   * still queued has nothing to abort).
   */
  onStarted(): void {
    this.releasePending();
    const perTry = this.plan.retry?.perTryTimeoutMs ?? null;
    if (perTry !== null && perTry > 0 && this.perTryTimer === null) this.perTryTimer = setTimeout(onPerTryTimer, perTry, this);
  }

  onHeaders(attempt: UpstreamAttempt, status: number, headers: Record<string, string | string[]>): void {
    if (status < 200 && status !== 101) return;
    this.releasePending();
    const outcome = outcomeOfResponse(status, headers);
    if (this.mayRetry(outcome)) {
      this.endAttempt(outcome);
      attempt.cancel(new Error('retrying'));
      return this.scheduleRetry();
    }
    this.clearTimer('perTry');
    this.committed = true;
    const out = relayedResponseHeaders(this.ctx, headers, this.plan.responsePeer, this.plan.responseHeaderOps);
    const gs = headers['grpc-status'];
    if (gs !== undefined) this.ctx.grpcStatus = String(gs);
    writeResponseHead(this.ctx, status, out);
    this.lastOutcome = outcome;
  }

  onData(controller: Controller, chunk: Buffer): void {
    if (!writeResponseChunk(this.ctx, chunk)) {
      controller.pause();
      const res: ResponseEvents = this.ctx.res;
      res.once('drain', () => controller.resume());
    }
  }

  onEnd(trailers: Record<string, string | string[]>): void {
    this.endAttempt(this.lastOutcome ?? { kind: 'response', status: this.ctx.status, grpcStatus: null });
    endResponse(this.ctx, trailers);
    this.finish();
  }

  onError(err: Error): void {
    this.releasePending();
    const outcome: UpstreamOutcome = this.perTryTimedOut ? { kind: 'timeout' } : classifyError(err);
    this.endAttempt(outcome);
    if (this.committed) {
      // Mid-response: nothing to retry; cut the downstream so the client sees the failure.
      this.ctx.addFlag(outcome.kind === 'timeout' ? 'UT' : 'UR');
      this.ctx.res.destroy();
      return this.finish();
    }
    if (this.mayRetry(outcome)) return this.scheduleRetry();
    this.fail(errorFor(outcome, this.plan.cluster.name, this.attempts > 1, err));
  }

  private mayRetry(outcome: UpstreamOutcome): boolean {
    const { retry, retryOn, body, cluster } = this.plan;
    // The previous retry (if any) is over: its resource goes back before the next one is asked for.
    this.releaseRetry();
    if (retry === null || retryOn === null || this.finished) return false;
    if (this.attempts > retry.numRetries) return false;
    if (body !== null && (!body.replayable || body.aborted)) return false;
    if (!retryOn(outcome)) return false;
    if (!cluster.retryAllowed()) {
      cluster.countOverflow('retries');
      return false;
    }
    return true;
  }

  private scheduleRetry(): void {
    const { retry, cluster } = this.plan;
    if (retry === null) return;
    cluster.countRetry();
    const delay = retryBackoff(this.attempts - 1, retry.backoffBaseMs, retry.backoffMaxMs, this.random);
    // Envoy holds the retry resource from the decision to retry until that attempt ends.
    this.retryHeld = cluster.breaker.tryAcquire('retries');
    setTimeout(() => {
      if (!this.finished) this.sendAttempt();
    }, delay);
  }

  private releaseRetry(): void {
    if (!this.retryHeld) return;
    this.retryHeld = false;
    this.plan.cluster.breaker.release('retries');
  }

  private endAttempt(outcome: UpstreamOutcome): void {
    this.clearTimer('perTry');
    this.releaseRetry();
    const host = this.host;
    if (host === null) return;
    this.host = null;
    host.activeRequests--;
    this.plan.cluster.breaker.release('requests');
    this.plan.cluster.onOutcome(host, outcome, performance.now() - this.attemptStart);
  }

  private releasePending(): void {
    if (!this.pending) return;
    this.pending = false;
    this.plan.cluster.breaker.release('pending');
  }

  onPerTryTimeout(): void {
    this.perTryTimer = null;
    this.perTryTimedOut = true;
    if (this.committed) return;
    // Aborting reports an error on the attempt, which is then retried or answered 504.
    this.attempt?.controller?.abort(new ProxyError('WEFT_ERR_PROXY_PER_TRY_TIMEOUT', 'UT', 'per-try timeout'));
  }

  onRouteTimeout(): void {
    this.routeTimer = null;
    if (this.finished) return;
    this.attempt?.cancel(new Error('route timeout'));
    if (this.host !== null) this.endAttempt({ kind: 'timeout' });
    this.releasePending();
    if (this.committed) {
      this.ctx.addFlag('UT');
      this.ctx.res.destroy();
      return this.finish();
    }
    this.fail(new ProxyError('WEFT_ERR_PROXY_UPSTREAM_TIMEOUT', 'UT', `upstream request timeout after ${this.plan.timeoutMs} ms`));
  }

  private onDownstreamClose(): void {
    if (this.finished) return;
    this.ctx.addFlag('DC');
    this.attempt?.cancel(new Error('downstream closed'));
    if (this.host !== null) this.endAttempt({ kind: 'reset' });
    this.releasePending();
    this.finish();
  }

  private fail(err: ProxyError): void {
    if (this.finished) return;
    sendLocalReply(this.ctx, rescue(err, this.ctx.grpc));
    this.finish();
  }

  private clearTimer(which: 'perTry' | 'route'): void {
    const t = which === 'perTry' ? this.perTryTimer : this.routeTimer;
    if (t !== null) clearTimeout(t);
    if (which === 'perTry') this.perTryTimer = null;
    else this.routeTimer = null;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.releaseRetry();
    this.clearTimer('perTry');
    this.clearTimer('route');
    this.onDone(this.ctx);
  }
}

function onPerTryTimer(fr: ForwardRequest): void {
  fr.onPerTryTimeout();
}

function onRouteTimer(fr: ForwardRequest): void {
  fr.onRouteTimeout();
}

function errorFor(outcome: UpstreamOutcome, cluster: string, retried: boolean, cause: Error): ProxyError {
  const urx = retried ? ' after retries' : '';
  switch (outcome.kind) {
    case 'connect-failure':
      return connectFailure(cluster, cause, retried);
    case 'timeout':
      return new ProxyError('WEFT_ERR_PROXY_UPSTREAM_TIMEOUT', 'UT', `upstream per-try or idle timeout in cluster ${cluster}${urx}`);
    default:
      return upstreamReset(cluster, cause, retried);
  }
}

/** Envoy's retry back-off: full jitter over an exponentially growing window, capped. */
function retryBackoff(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}
