import { z } from 'zod';

/** Zipkin v2 span (https://zipkin.io/zipkin-api/#/default/post_spans), as POSTed in a JSON array. */
const hexId = (min: number, max: number) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-fA-F]{${min},${max}}$`), `must be ${min}-${max} hex characters`)
    .transform((s) => s.toLowerCase());

export const zipkinEndpoint = z.object({
  serviceName: z.string().max(253).optional(),
  ipv4: z.string().optional(),
  ipv6: z.string().optional(),
  port: z.number().int().optional(),
});
export type ZipkinEndpoint = z.output<typeof zipkinEndpoint>;

export const zipkinSpan = z.object({
  traceId: hexId(16, 32),
  id: hexId(16, 16),
  parentId: hexId(16, 16).optional(),
  name: z.string().max(1024).optional(),
  kind: z.enum(['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER']).optional(),
  /** Epoch microseconds. */
  timestamp: z.number().int().nonnegative().optional(),
  /** Microseconds. */
  duration: z.number().int().nonnegative().optional(),
  localEndpoint: zipkinEndpoint.optional(),
  remoteEndpoint: zipkinEndpoint.optional(),
  annotations: z.array(z.object({ timestamp: z.number().int(), value: z.string() })).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  debug: z.boolean().optional(),
  shared: z.boolean().optional(),
});
export type ZipkinSpan = z.output<typeof zipkinSpan>;

export const zipkinSpans = z.array(zipkinSpan).max(10_000);
