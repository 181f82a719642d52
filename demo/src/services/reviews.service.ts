import type { Route } from '../http/json-server';
import type { SidecarClient } from '../http/sidecar-client';
import { productIdIn } from './product-id';

const REVIEWS = [
  { reviewer: 'Reviewer1', text: 'An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!' },
  { reviewer: 'Reviewer2', text: 'Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.' },
];

/** Star colour per version, as in Istio's bookinfo: v1 shows no stars (and never calls ratings). */
export function starColor(version: string): string | null {
  if (version === 'v1') return null;
  return version === 'v3' ? 'red' : 'black';
}

/**
 * reviews: `GET /reviews/<id>`. v2 and v3 fetch the stars from ratings through the sidecar; when
 * ratings cannot answer, the reviews still come back, each with the error in place of its stars.
 */
export function reviewsRoute(version: string, sidecar: SidecarClient): Route {
  const color = starColor(version);
  return async (req, url) => {
    const id = productIdIn(url.pathname, 'reviews');
    if (id === null) return null;
    if (color === null) return { status: 200, body: { id, version, reviews: REVIEWS } };
    const ratings = await sidecar.getJson('ratings', `/ratings/${id}`, req.headers);
    const stars = (ratings.body?.['ratings'] ?? {}) as Record<string, number | undefined>;
    const reviews = REVIEWS.map((r) => {
      const n = stars[r.reviewer];
      if (ratings.error !== null) return { ...r, rating: { error: `ratings unavailable: ${ratings.error}` } };
      return { ...r, rating: n === undefined ? null : { stars: n, color } };
    });
    const ratingsVersion = ratings.error === null ? (ratings.body?.['version'] ?? null) : null;
    return { status: 200, body: { id, version, ratingsVersion, reviews } };
  };
}
