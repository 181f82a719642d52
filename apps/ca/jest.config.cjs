module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'ca',
  rootDir: __dirname,
};
