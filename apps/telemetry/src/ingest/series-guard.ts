/**
 * Bounds the number of Prometheus request series (distinct Istio label sets) kept in Redis, so a flood
 * of distinct labels (arbitrary workload names, flags, codes) cannot grow Redis and every scrape without
 * limit. Below the limit every series is accepted; at the limit only series this replica already wrote
 * are. Refused edges still count in the windows (stat, edges, topology); their totals are counted as
 * refused instead (`weft_telemetry_series_refused_total`).
 */
export class SeriesGuard {
  private readonly known = new Set<string>();
  /** Series in Redis at the last flush (all replicas), plus those this replica added since. */
  private total = 0;

  constructor(private readonly max: number) {}

  allow(series: string): boolean {
    if (this.known.has(series)) return true;
    if (this.total >= this.max || this.known.size >= this.max) return false;
    this.known.add(series);
    this.total++;
    return true;
  }

  /** The count Redis reported after a flush (HLEN of the request totals). */
  observe(seriesInRedis: number): void {
    this.total = Math.max(seriesInRedis, 0);
  }
}
