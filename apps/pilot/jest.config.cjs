module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'pilot',
  rootDir: __dirname,
};
