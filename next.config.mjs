/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Type errors fail `next build` (this is the default; stated so nobody turns it off).
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
