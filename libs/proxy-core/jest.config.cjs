module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'proxy-core',
  rootDir: __dirname,
};
