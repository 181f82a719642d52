import type { Route } from '../http/json-server';
import type { CallResult, SidecarClient } from '../http/sidecar-client';
import type { ProductPage } from './product-page';
import { renderProductPage } from './productpage.html';

function part(result: CallResult): Record<string, unknown> {
  return result.error === null && result.body !== null ? result.body : { error: result.error };
}

function versionOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * productpage: `GET /productpage?id=<n>` (also `/`). Asks details and reviews — in parallel, both
 * through its own sidecar — and answers 200 with whatever came back: a part that failed carries its
 * error instead (the page degrades, as bookinfo's does). JSON, or HTML for a browser.
 */
export function productPageRoute(version: string, sidecar: SidecarClient): Route {
  return async (req, url) => {
    if (url.pathname !== '/productpage' && url.pathname !== '/') return null;
    const raw = url.searchParams.get('id') ?? '0';
    if (!/^\d{1,9}$/.test(raw)) return { status: 400, body: { error: 'id must be a non-negative integer', service: 'productpage', version } };
    const id = Number(raw);
    const [details, reviews] = await Promise.all([
      sidecar.getJson('details', `/details/${id}`, req.headers),
      sidecar.getJson('reviews', `/reviews/${id}`, req.headers),
    ]);
    const page: ProductPage = {
      product: { id, title: 'The Comedy of Errors' },
      details: part(details),
      reviews: part(reviews),
      versions: {
        productpage: version,
        details: details.error === null ? versionOf(details.body?.['version']) : null,
        reviews: reviews.error === null ? versionOf(reviews.body?.['version']) : null,
        ratings: reviews.error === null ? versionOf(reviews.body?.['ratingsVersion']) : null,
      },
    };
    return { status: 200, body: page, html: renderProductPage(page) };
  };
}
