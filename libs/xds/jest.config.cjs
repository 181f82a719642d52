module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'xds',
  rootDir: __dirname,
};
