/** The product id in `/<prefix>/<id>` (a non-negative integer), or null when the path is not that. */
export function productIdIn(pathname: string, prefix: string): number | null {
  const match = new RegExp(`^/${prefix}/(\\d{1,9})$`).exec(pathname);
  return match === null ? null : Number(match[1]);
}
