/**
 * The Istio canary as Istio's docs write it (bookinfo `virtual-service-reviews-90-10.yaml` and the
 * reviews part of `destination-rule-all.yaml`), for tests that apply rules: a DestinationRule with a
 * subset per `version` label and a VirtualService splitting between v1 and v2.
 */
export function reviewsDestinationRule(versions: readonly string[] = ['v1', 'v2'], name = 'reviews'): string {
  const subsets = versions.map((v) => `  - name: ${v}\n    labels:\n      version: ${v}\n`).join('');
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${name}
spec:
  host: ${name}
  subsets:
${subsets}`;
}

export function reviewsVirtualService(v1: number, v2: number, name = 'reviews'): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${name}
spec:
  hosts:
    - ${name}
  http:
  - route:
    - destination:
        host: ${name}
        subset: v1
      weight: ${v1}
    - destination:
        host: ${name}
        subset: v2
      weight: ${v2}
`;
}

/** Both documents, `---` separated, as one file. */
export function reviewsCanary(v1: number, v2: number, name = 'reviews'): string {
  return `${reviewsDestinationRule(['v1', 'v2'], name)}---\n${reviewsVirtualService(v1, v2, name)}`;
}
