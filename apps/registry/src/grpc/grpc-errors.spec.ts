import { status } from '@grpc/grpc-js';
import { WeftError, type WeftErrorKind } from '@weft/shared';
import { toGrpcError } from './grpc-errors';

describe('toGrpcError', () => {
  const cases: [WeftErrorKind, status][] = [
    ['invalid-argument', status.INVALID_ARGUMENT],
    ['not-found', status.NOT_FOUND],
    ['conflict', status.FAILED_PRECONDITION],
    ['unauthenticated', status.UNAUTHENTICATED],
    ['permission-denied', status.PERMISSION_DENIED],
    ['unavailable', status.UNAVAILABLE],
    ['deadline-exceeded', status.DEADLINE_EXCEEDED],
  ];
  it.each(cases)('%s → status %i, keeping the message and code', (kind, code) => {
    const mapped = toGrpcError(new WeftError('WEFT_ERR_TEST_X', kind, `it is ${kind}`));
    expect([mapped.kind, mapped.response.code, mapped.response.details]).toEqual([kind, code, `it is ${kind}`]);
    expect(mapped.response.metadata?.get('weft-error-code')).toEqual(['WEFT_ERR_TEST_X']);
  });

  it('names the offending fields of an invalid argument', () => {
    const err = new WeftError('WEFT_ERR_API_INVALID_ARGUMENT', 'invalid-argument', 'invalid instance: instance.address: bad', {
      issues: [{ path: 'instance.address', message: 'bad' }, { path: 'instance.weight', message: 'too big' }],
    });
    expect(toGrpcError(err).response.metadata?.get('weft-error-fields')).toEqual(['instance.address,instance.weight']);
  });

  it.each([
    ['an internal WeftError', new WeftError('WEFT_ERR_TEST_BUG', 'internal', 'secret detail')],
    ['a plain error', new Error('secret detail')],
    ['a thrown string', 'secret detail'],
  ])('hides %s behind INTERNAL with a generic message', (_name, err) => {
    const mapped = toGrpcError(err);
    expect([mapped.kind, mapped.response.code, mapped.response.details]).toEqual(['internal', status.INTERNAL, 'internal error']);
  });
});
