module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'weftctl',
  rootDir: __dirname,
};
