import { after } from 'next/server.js';
import { macrotask, type Scheduler } from '../events.ts';
import { currentTestRequest } from './test-request.ts';

/**
 * Event handlers run after the response, through Next's `after()`: on a
 * serverless platform that keeps the function alive until they finish
 * (`waitUntil`), and they never delay the response. In a test request
 * (`withSessionRequest()`) they run when it ends, as its `after()` callbacks
 * do; outside any request scope `after()` throws, and a macrotask runs them.
 */
export const afterResponse: Scheduler = (task) => {
  const test = currentTestRequest();
  if (test !== undefined) {
    test.after.push(task);
    return;
  }
  try {
    after(task);
  } catch {
    macrotask(task);
  }
};
