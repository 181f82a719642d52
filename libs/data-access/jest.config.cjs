module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'data-access',
  rootDir: __dirname,
};
