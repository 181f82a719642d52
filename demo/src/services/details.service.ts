import type { Route } from '../http/json-server';
import { productIdIn } from './product-id';

/** details: facts about a book, `GET /details/<id>`. Calls no other service. */
export function detailsRoute(version: string): Route {
  return async (_req, url) => {
    const id = productIdIn(url.pathname, 'details');
    if (id === null) return null;
    return {
      status: 200,
      body: {
        id,
        version,
        author: 'William Shakespeare',
        year: 1595,
        type: 'paperback',
        pages: 200,
        publisher: 'PublisherA',
        language: 'English',
        'ISBN-10': '1234567890',
        'ISBN-13': '123-1234567890',
      },
    };
  };
}
