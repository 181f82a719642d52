import { WorkloadIdentity } from '../../src/tls/workload-identity';
import { TestCa } from './test-ca';

/**
 * The first certificate reaches every subscriber, even when one of them unsubscribes itself while
 * notified (the SVID manager's first-certificate waiter does): a listener bound before the
 * certificate — a proxy booted from its xDS cache — must get it.
 */
describe('WorkloadIdentity notifications', () => {
  it('notifies every listener when an earlier one unsubscribes during the notification', () => {
    const identity = new WorkloadIdentity();
    const seen: string[] = [];
    const off = identity.onChange(() => {
      seen.push('first-certificate waiter');
      off();
    });
    identity.onChange((id) => seen.push(`listener saw ${String(id.serverOptions() !== null)}`));
    identity.update(new TestCa('weft-test').issue('spiffe://cluster.local/ns/default/sa/reviews'));
    expect(seen).toEqual(['first-certificate waiter', 'listener saw true']);
  });
});
