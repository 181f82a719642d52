// Lint rules for the whole workspace. Layering (shared/STYLE.md) is enforced with Nx project tags:
//   runtime:any          pure libraries usable anywhere, including the proxy
//   runtime:controlplane NestJS services and their libraries
//   runtime:dataplane    the proxy: no NestJS, rxjs, reflect-metadata or ioredis, only runtime:any libs
//   scope:testing        harnesses importable only from tests
import nx from '@nx/eslint-plugin';

const controlPlaneOnly = ['@nestjs/*', 'rxjs', 'reflect-metadata', 'ioredis'];

/** The layering rule; `alsoAllowed` are extra tags the pure and data-plane code may import (tests). */
function boundaries(alsoAllowed) {
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow: [],
      depConstraints: [
        { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
        { sourceTag: 'runtime:dataplane', onlyDependOnLibsWithTags: ['runtime:any', ...alsoAllowed], bannedExternalImports: controlPlaneOnly },
        { sourceTag: 'runtime:any', onlyDependOnLibsWithTags: ['runtime:any', ...alsoAllowed], bannedExternalImports: controlPlaneOnly },
        { sourceTag: 'runtime:controlplane', onlyDependOnLibsWithTags: ['runtime:any', 'runtime:controlplane'] },
      ],
    },
  ];
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/tmp', '**/.nx', '**/coverage'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries([]),
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Tests of any project may use the test harnesses (scope:testing); production code may not.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(['scope:testing']),
    },
  },
  {
    // libs/testing is for tests only: production code may not import it.
    files: ['apps/**/src/**/*.ts', 'libs/**/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@weft/testing', message: '@weft/testing is importable only from tests.' }] },
      ],
    },
  },
  {
    // Operator-facing scripts and CLIs print to the terminal by design.
    files: ['scripts/**', 'apps/*/bin/**', 'apps/weftctl/**', '**/bench/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tooling files outside any project's sources (jest preset, the servers script) are shared by path.
    files: ['**/jest.config.cjs', '**/bench/**'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    files: ['**/*.cjs', 'apps/*/bin/**'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
