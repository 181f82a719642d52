import { z } from 'zod';

/** `GET /api/v1/tap?service=S[&namespace=N][&limit=K][&seconds=T]`. */
export const tapQuery = z.object({
  service: z.string().min(1).max(253),
  namespace: z.string().min(1).max(253).optional(),
  /** Stop after this many records. */
  limit: z.coerce.number().int().min(1).max(1_000_000).optional(),
  /** Stop after this many seconds. */
  seconds: z.coerce.number().int().min(1).max(86_400).optional(),
});
export type TapQuery = z.output<typeof tapQuery>;
