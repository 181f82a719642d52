/** The page productpage answers: the product, what details and reviews said, and which versions served it. */
export interface ProductPage {
  readonly product: { readonly id: number; readonly title: string };
  readonly details: Record<string, unknown>;
  readonly reviews: Record<string, unknown>;
  readonly versions: { readonly productpage: string; readonly details: string | null; readonly reviews: string | null; readonly ratings: string | null };
}
