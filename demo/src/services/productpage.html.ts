import type { ProductPage } from './product-page';

function escape(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface ReviewView {
  reviewer?: unknown;
  text?: unknown;
  rating?: { stars?: number; color?: string; error?: string } | null;
}

function stars(rating: ReviewView['rating']): string {
  if (rating === null || rating === undefined) return '';
  if (rating.error !== undefined) return `<p class="error">${escape(rating.error)}</p>`;
  const n = Math.max(0, Math.min(5, rating.stars ?? 0));
  return `<p style="color:${escape(rating.color ?? 'black')}">${'★'.repeat(n)}${'☆'.repeat(5 - n)}</p>`;
}

function detailsHtml(details: Record<string, unknown>): string {
  if (typeof details['error'] === 'string') return `<p class="error">Details are unavailable: ${escape(details['error'])}</p>`;
  const rows = Object.entries(details)
    .filter(([key]) => key !== 'id' && key !== 'version')
    .map(([key, value]) => `<tr><th>${escape(key)}</th><td>${escape(value)}</td></tr>`);
  return `<table>${rows.join('')}</table>`;
}

function reviewsHtml(reviews: Record<string, unknown>): string {
  if (typeof reviews['error'] === 'string') return `<p class="error">Reviews are unavailable: ${escape(reviews['error'])}</p>`;
  const list = Array.isArray(reviews['reviews']) ? (reviews['reviews'] as ReviewView[]) : [];
  return list.map((r) => `<blockquote><p>${escape(r.text)}</p><small>— ${escape(r.reviewer)}</small>${stars(r.rating)}</blockquote>`).join('');
}

/** The product page for a browser; reload it to watch the reviews version change. */
export function renderProductPage(page: ProductPage): string {
  const v = page.versions;
  const served = `productpage ${v.productpage} · details ${v.details ?? '—'} · reviews ${v.reviews ?? '—'} · ratings ${v.ratings ?? '—'}`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escape(page.product.title)} · Weft demo</title>
<style>body{font-family:sans-serif;max-width:50rem;margin:2rem auto}th{text-align:left;padding-right:1rem}.error{color:#b00}footer{color:#666;margin-top:2rem}</style>
</head><body>
<h1>${escape(page.product.title)}</h1>
<h2>Details</h2>${detailsHtml(page.details)}
<h2>Reviews</h2>${reviewsHtml(page.reviews)}
<footer>Served by ${escape(served)}</footer>
</body></html>
`;
}
