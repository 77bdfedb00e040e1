// Types of fresh-next-app.mjs, for bench/compare/run.ts.

export declare function freshAppPackage(
  devDependencies: Record<string, string>,
  app: {
    name: string;
    tarball: string;
    dependencies?: Record<string, string | undefined>;
    scripts?: Record<string, string>;
  },
): string;

export declare function nextTsconfig(extraOptions?: Record<string, unknown>, extraInclude?: string[]): string;
