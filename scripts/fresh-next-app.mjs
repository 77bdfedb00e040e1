// A fresh Next 16 app as create-next-app makes it, on this repo's versions, to try the packed kit in:
// for scripts/pack-smoke.mjs and bench/compare/run.ts.

/**
 * The app's package.json: next, react and the packed kit (`tarball`), TypeScript and the types, all at
 * the versions this repo develops with (`devDependencies`, from its package.json).
 */
export function freshAppPackage(devDependencies, { name, tarball, dependencies = {}, scripts }) {
  const dev = devDependencies;
  const pkg = {
    name,
    private: true,
    ...(scripts === undefined ? {} : { scripts }),
    dependencies: {
      next: dev.next,
      react: dev.react,
      'react-dom': dev['react-dom'],
      'next-session-kit': `file:${tarball}`,
      ...dependencies,
    },
    devDependencies: {
      typescript: dev.typescript,
      '@types/node': dev['@types/node'],
      '@types/react': dev['@types/react'],
      '@types/react-dom': dev['@types/react-dom'],
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * The tsconfig.json create-next-app writes (minus what these apps do not use), with extra compiler
 * options and include patterns.
 */
export function nextTsconfig(extraOptions = {}, extraInclude = []) {
  const compilerOptions = {
    target: 'ES2017',
    lib: ['dom', 'dom.iterable', 'esnext'],
    allowJs: true,
    skipLibCheck: true,
    strict: true,
    noEmit: true,
    esModuleInterop: true,
    module: 'esnext',
    moduleResolution: 'bundler',
    resolveJsonModule: true,
    isolatedModules: true,
    jsx: 'react-jsx',
    incremental: true,
    plugins: [{ name: 'next' }],
    ...extraOptions,
  };
  const include = ['next-env.d.ts', '**/*.ts', '**/*.tsx', '.next/types/**/*.ts', '.next/dev/types/**/*.ts'];
  const tsconfig = { compilerOptions, include: [...include, ...extraInclude], exclude: ['node_modules'] };
  return `${JSON.stringify(tsconfig, null, 2)}\n`;
}
