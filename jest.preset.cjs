// Shared jest settings. SWC transforms TypeScript (with decorator metadata for NestJS) and the
// ESM-only packages (NestJS 12, @nats-io) into CommonJS so jest on Node 20 can load them.
const path = require('node:path');

const esmPackages = [
  '@nestjs',
  '@nats-io',
  'file-type',
  'load-esm',
  'uid',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  'cookie',
];

const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj|cj)s$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: {
    '^@weft/api$': path.join(root, 'libs/api/src/index.ts'),
    '^@weft/shared$': path.join(root, 'libs/shared/src/index.ts'),
    '^@weft/data-access$': path.join(root, 'libs/data-access/src/index.ts'),
    '^@weft/testing$': path.join(root, 'libs/testing/src/index.ts'),
    '^@weft/proxy-core$': path.join(root, 'libs/proxy-core/src/index.ts'),
    '^@weft/xds$': path.join(root, 'libs/xds/src/index.ts'),
    '^@weft/x509$': path.join(root, 'libs/x509/src/index.ts'),
  },
  modulePathIgnorePatterns: ['<rootDir>/dist'],
  testMatch: ['**/?(*.)+(spec|int-spec|e2e-spec).ts'],
  // Hooks start real servers and processes on 2 shared, noisy cores: a generous ceiling per test and
  // hook. Tests wait on events with their own deadlines; this only bounds a hang.
  testTimeout: 60_000,
};
