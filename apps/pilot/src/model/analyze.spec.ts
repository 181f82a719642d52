import { bookinfo } from './bookinfo.spec-helper';
import { rules } from './mesh-fixtures.spec-helper';
import { MeshModel } from './mesh-model';

function analyze(yaml: string): { level: string; code: string; document: string }[] {
  const m = new MeshModel();
  m.replaceServices(bookinfo());
  m.replaceRules(rules(yaml));
  return m.analyze().map(({ level, code, document }) => ({ level, code, document }));
}

const DR = (name: string, host: string, subsets = '[{name: v1, labels: {version: v1}}]', extra = '') => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ${name}}
spec:
  host: ${host}
  subsets: ${subsets}
${extra}---`;
const VS = (name: string, host: string, destination: string) => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}}
spec:
  hosts: [${host}]
  http: [{route: [{destination: ${destination}}]}]
---`;

describe('MeshModel.analyze (istioctl analyze)', () => {
  it.each<[string, string, { level: string; code: string; document: string }[]]>([
    ['a consistent bookinfo: nothing to say', DR('reviews', 'reviews') + VS('reviews', 'reviews', '{host: reviews, subset: v1}'), []],
    ['an unknown subset (IST0101)', DR('reviews', 'reviews') + VS('reviews', 'reviews', '{host: reviews, subset: v2}'), [{ level: 'Error', code: 'IST0101', document: 'VirtualService/default/reviews' }]],
    ['a subset without DestinationRule (IST0101)', VS('reviews', 'reviews', '{host: reviews, subset: v1}'), [{ level: 'Error', code: 'IST0101', document: 'VirtualService/default/reviews' }]],
    ['an unknown destination host (IST0101)', VS('reviews', 'reviews', '{host: nope}'), [{ level: 'Error', code: 'IST0101', document: 'VirtualService/default/reviews' }]],
    ['an unknown destination port (IST0101)', VS('reviews', 'reviews', '{host: reviews, port: {number: 1234}}'), [{ level: 'Error', code: 'IST0101', document: 'VirtualService/default/reviews' }]],
    ['a VirtualService host with no service', VS('ghost', 'ghost', '{host: reviews}'), [{ level: 'Warning', code: 'WEFT0101', document: 'VirtualService/default/ghost' }]],
    ['a DestinationRule host with no service', DR('ghost', 'ghost'), [{ level: 'Warning', code: 'WEFT0102', document: 'DestinationRule/default/ghost' }]],
    ['a subset selecting no instance', DR('reviews', 'reviews', '[{name: v9, labels: {version: v9}}]'), [{ level: 'Warning', code: 'WEFT0103', document: 'DestinationRule/default/reviews' }]],
    [
      'two VirtualServices for one host (IST0109)',
      VS('a-reviews', 'reviews', '{host: reviews}') + VS('b-reviews', 'reviews.default.svc.cluster.local', '{host: reviews}'),
      [{ level: 'Error', code: 'IST0109', document: 'VirtualService/default/b-reviews' }],
    ],
    ['two DestinationRules for one host', DR('a', 'reviews') + DR('b', 'reviews'), [{ level: 'Warning', code: 'WEFT0104', document: 'DestinationRule/default/b' }]],
    ['a per-workload DestinationRule', DR('reviews', 'reviews', '[]', '  workloadSelector: {matchLabels: {app: productpage}}\n'), [{ level: 'Warning', code: 'WEFT0106', document: 'DestinationRule/default/reviews' }]],
    ['mesh mTLS (ISTIO_MUTUAL) is supported', DR('reviews', 'reviews', '[]', '  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}\n'), []],
    ['TLS with client files is supported', DR('reviews', 'reviews', '[]', '  trafficPolicy: {tls: {mode: SIMPLE}}\n'), []],
    [
      'TLS from a Kubernetes secret (credentialName), on a port',
      DR('reviews', 'reviews', '[]', '  trafficPolicy: {portLevelSettings: [{port: {number: 9080}, tls: {mode: MUTUAL, credentialName: reviews-client}}]}\n'),
      [{ level: 'Error', code: 'WEFT0107', document: 'DestinationRule/default/reviews' }],
    ],
  ])('%s', (_name, yaml, expected) => {
    expect(analyze(yaml)).toEqual(expected);
  });
});
