import { checkAdminBearer } from './admin-auth';

describe('token creation access', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])('is open to loopback %s without an admin token', (ip) => {
    expect(() => checkAdminBearer(undefined, undefined, ip)).not.toThrow();
  });

  it('is refused to other addresses without an admin token', () => {
    expect(() => checkAdminBearer(undefined, undefined, '10.0.0.7')).toThrow(expect.objectContaining({ code: 'WEFT_ERR_CA_ADMIN_AUTH', kind: 'permission-denied' }));
  });

  it('needs the exact bearer token when one is set, from anywhere', () => {
    const admin = 'admin-token-0123456789';
    expect(() => checkAdminBearer(admin, `Bearer ${admin}`, '10.0.0.7')).not.toThrow();
    expect(() => checkAdminBearer(admin, undefined, '127.0.0.1')).toThrow(/WEFT_CA_ADMIN_TOKEN/);
    expect(() => checkAdminBearer(admin, 'Bearer wrong', '127.0.0.1')).toThrow(expect.objectContaining({ kind: 'unauthenticated' }));
  });
});
