module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'x509',
  rootDir: __dirname,
};
