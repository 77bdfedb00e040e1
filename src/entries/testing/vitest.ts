// next-session-kit/testing/vitest: the store conformance suite, for vitest.
// Apart from next-session-kit/testing so that importing the request helpers
// never needs vitest (an optional peer dependency, needed only here).
export {
  type CreateAdapter,
  describeStoreAdapter,
  type StoreAdapterSuiteOptions,
} from '../../testing/describe-store-adapter.ts';
