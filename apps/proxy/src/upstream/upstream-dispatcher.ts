import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

/** One upstream request as the router hands it over: headers as a flat `[name, value, …]` list. */
export interface UpstreamRequestOptions {
  readonly path: string;
  readonly method: string;
  readonly headers: readonly string[];
  readonly body: Readable | Buffer | null;
  /** Longest wait for the response head (0: none). */
  readonly headersTimeout?: number;
  /** Longest silence between response body chunks (0: none). */
  readonly bodyTimeout?: number;
}

/**
 * What a host's connection pool offers the router: undici's dispatch contract (the handler gets
 * onRequestStart when a connection is assigned, then the response events; a controller aborts,
 * pauses and resumes). Satisfied by undici's Pool/Client and by the HTTP/1.1 fast pool.
 */
export interface UpstreamDispatcher {
  dispatch(opts: UpstreamRequestOptions, handler: Dispatcher.DispatchHandler): boolean;
  close(): Promise<void>;
  destroy(): Promise<void>;
}
