// The package root as the App Router's server layer (`react-server`) and every
// browser bundle (`browser`) resolve it: the same exports, behind `server-only`,
// so a Client Component (or a page component's client bundle) importing the kit
// fails the build. The Pages Router's server code (getServerSideProps, API
// routes) resolves the plain root instead, which Next would refuse with it.
import 'server-only';

export * from '../index.ts';
