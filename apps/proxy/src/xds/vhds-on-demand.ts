import { selectVirtualHost } from '@weft/proxy-core';
import type { Logger } from '@weft/shared';
import type { RequestContext, ResponseEvents } from '../listener/request-context';
import type { OnDemandHook, RouteStage } from '../router/route-stage';

/** What on-demand VHDS needs from the xDS client. */
export interface OnDemandSource {
  /** The route configuration takes virtual hosts on demand (it has `vhds`, over delta xDS). */
  onDemandCapable(routeConfig: string): boolean;
  /** Subscribes to a VHDS resource name (once; a repeated name changes nothing). */
  requestVirtualHost(name: string): void;
  /** Drops an on-demand name that did not come in time (unless it arrived meanwhile): a later request asks again. */
  forgetVirtualHost(name: string): void;
}

/** The proxy's current route stages. */
export interface StageLookup {
  stageFor(listener: string): RouteStage | null;
}

interface Waiting {
  readonly ctx: RequestContext;
  readonly stage: RouteStage;
  readonly onClose: () => void;
}

/** One virtual host being asked for; every request for the same authority shares it. */
class PendingHost {
  readonly waiting: Waiting[] = [];

  constructor(
    readonly name: string,
    readonly authority: string,
    readonly listener: string,
    readonly timer: NodeJS.Timeout,
  ) {}
}

/**
 * VHDS on demand (Envoy's on-demand filter with VHDS): a request whose authority matches no virtual
 * host of a route configuration with `vhds` subscribes `<route config>/<authority>` (the authority
 * lower-cased, port as sent) and waits, with every other request for that authority, until a
 * snapshot serving it is applied (the host arrived and its clusters warmed) — then it is routed on
 * the newest stage — or the server answers the name removed, or the deadline passes: then 404 NR
 * with the reason in x-weft-error. Requests that match a virtual host never come here.
 */
export class VhdsOnDemand implements OnDemandHook {
  private readonly pending = new Map<string, PendingHost>();

  constructor(
    private readonly source: OnDemandSource,
    private readonly stages: StageLookup,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  hold(ctx: RequestContext, stage: RouteStage, routeConfig: string): boolean {
    if (!this.source.onDemandCapable(routeConfig)) return false;
    const name = `${routeConfig}/${ctx.authority}`;
    let host = this.pending.get(name);
    if (host === undefined) {
      const timer = setTimeout(() => this.timedOut(name), this.timeoutMs);
      host = new PendingHost(name, ctx.authority, stage.active.listener, timer);
      this.pending.set(name, host);
      this.log.debug({ name }, 'virtual host requested on demand');
      this.source.requestVirtualHost(name);
    }
    const waiting = host.waiting;
    const entry: Waiting = {
      ctx,
      stage,
      onClose: () => {
        const i = waiting.indexOf(entry);
        if (i !== -1) waiting.splice(i, 1);
      },
    };
    const res: ResponseEvents = ctx.res;
    res.once('close', entry.onClose);
    waiting.push(entry);
    return true;
  }

  /** Requests held for virtual hosts being asked for (gauge-like, for /config_dump). */
  get waitingNames(): string[] {
    return [...this.pending.keys()];
  }

  /** A snapshot was applied: requests whose authority now selects a virtual host resume on it. */
  onApplied(): void {
    for (const host of [...this.pending.values()]) {
      const stage = this.stages.stageFor(host.listener);
      if (stage === null || selectVirtualHost(stage.active.table, host.authority) === null) continue;
      this.settle(host, (w) => stage.resumeHeld(w.ctx));
    }
  }

  /** The server answered the name removed (it has no such virtual host). */
  notFound(name: string): void {
    this.fail(name, `the xDS server has no virtual host ${name}`);
  }

  private timedOut(name: string): void {
    this.fail(name, `timed out after ${this.timeoutMs} ms waiting for virtual host ${name}`);
    this.source.forgetVirtualHost(name);
  }

  close(): void {
    for (const name of [...this.pending.keys()]) this.fail(name, 'the proxy is shutting down');
  }

  private fail(name: string, why: string): void {
    const host = this.pending.get(name);
    if (host === undefined) return;
    this.log.debug({ name, why, requests: host.waiting.length }, 'virtual host not found on demand');
    this.settle(host, (w) => w.stage.rejectHeld(w.ctx, why));
  }

  private settle(host: PendingHost, act: (w: Waiting) => void): void {
    clearTimeout(host.timer);
    this.pending.delete(host.name);
    for (const w of host.waiting.splice(0)) {
      const res: ResponseEvents = w.ctx.res;
      res.removeListener('close', w.onClose);
      act(w);
    }
  }
}
