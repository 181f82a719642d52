module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'proxy',
  rootDir: __dirname,
};
