import type { Route } from '../http/json-server';
import { productIdIn } from './product-id';

/** ratings: stars per reviewer, `GET /ratings/<id>`. Calls no other service. */
export function ratingsRoute(version: string): Route {
  return async (_req, url) => {
    const id = productIdIn(url.pathname, 'ratings');
    if (id === null) return null;
    return { status: 200, body: { id, version, ratings: { Reviewer1: 5, Reviewer2: 4 } } };
  };
}
