/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // `npm run bench:http` builds into .next-bench so it never replaces the build e2e tests use.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // Type errors fail `next build` (this is the default; stated so nobody turns it off).
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
